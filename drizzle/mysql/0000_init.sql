CREATE TABLE `billing_holds` (
	`id` int AUTO_INCREMENT NOT NULL,
	`user_id` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`request_id` longtext NOT NULL,
	`amount` double NOT NULL,
	`instance_id` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL DEFAULT '',
	`created_at` bigint NOT NULL,
	CONSTRAINT `billing_holds_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `chat_sessions` (
	`session_id` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`user_id` varchar(191) character set utf8mb4 collate utf8mb4_bin,
	`key_id` int,
	`model` longtext,
	`conversation_id` longtext,
	`messages` longtext NOT NULL,
	`busy_until` bigint,
	`last_activity` bigint NOT NULL,
	`created_at` bigint NOT NULL,
	CONSTRAINT `chat_sessions_session_id` PRIMARY KEY(`session_id`)
);
--> statement-breakpoint
CREATE TABLE `client_keys` (
	`id` int AUTO_INCREMENT NOT NULL,
	`key_hash` varchar(64) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`prefix` longtext NOT NULL,
	`suffix` longtext NOT NULL,
	`remark` longtext NOT NULL,
	`enabled` boolean NOT NULL DEFAULT true,
	`expires_at` bigint,
	`allowed_models` longtext,
	`user_id` varchar(191) character set utf8mb4 collate utf8mb4_bin,
	`act_for_others` boolean NOT NULL DEFAULT false,
	`created_at` bigint NOT NULL,
	`last_used_at` bigint,
	`rpm` int,
	`tpm` int,
	`concurrency` int,
	`limits` longtext,
	CONSTRAINT `client_keys_id` PRIMARY KEY(`id`),
	CONSTRAINT `client_keys_hash` UNIQUE(`key_hash`)
);
--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` int AUTO_INCREMENT NOT NULL,
	`provider` varchar(128) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`credential_id` int NOT NULL,
	`history_hash` varchar(64) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`conversation_id` longtext NOT NULL,
	`parent_id` longtext,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `conversations_id` PRIMARY KEY(`id`),
	CONSTRAINT `conversations_key` UNIQUE(`provider`,`history_hash`)
);
--> statement-breakpoint
CREATE TABLE `credentials` (
	`id` int AUTO_INCREMENT NOT NULL,
	`provider` varchar(128) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`secret_enc` longtext NOT NULL,
	`secret_hash` varchar(64) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`secret_tail` varchar(16) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`remark` longtext NOT NULL,
	`source` varchar(16) NOT NULL DEFAULT 'admin',
	`status` varchar(16) NOT NULL DEFAULT 'active',
	`cooldown_until` bigint,
	`failures` int NOT NULL DEFAULT 0,
	`last_error` longtext,
	`last_used_at` bigint,
	`last_probed_at` bigint,
	`account` longtext,
	`credit` double,
	`advanced_credit` double,
	`subscribed` boolean,
	`verified` boolean NOT NULL DEFAULT false,
	`state_enc` longtext,
	`created_at` bigint NOT NULL,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `credentials_id` PRIMARY KEY(`id`),
	CONSTRAINT `credentials_provider_secret` UNIQUE(`provider`,`secret_hash`)
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`scope` varchar(64) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`key` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`body_hash` longtext NOT NULL,
	`response` longtext NOT NULL,
	`created_at` bigint NOT NULL,
	CONSTRAINT `idempotency_keys_scope_key_pk` PRIMARY KEY(`scope`,`key`)
);
--> statement-breakpoint
CREATE TABLE `mcp_servers` (
	`name` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`config_enc` longtext NOT NULL,
	`disabled` boolean NOT NULL DEFAULT false,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `mcp_servers_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `media_tasks` (
	`id` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`user_id` varchar(191) character set utf8mb4 collate utf8mb4_bin,
	`key_id` int,
	`request_id` longtext NOT NULL,
	`client_request_id` longtext,
	`kind` varchar(16) NOT NULL,
	`model` longtext NOT NULL,
	`status` varchar(16) NOT NULL,
	`progress` int NOT NULL DEFAULT 0,
	`provider` varchar(128) character set utf8mb4 collate utf8mb4_bin,
	`credential_id` int,
	`upstream_model` longtext,
	`upstream_id` longtext,
	`state` longtext,
	`request` longtext NOT NULL,
	`outputs` longtext,
	`text` longtext,
	`error` longtext,
	`error_kind` longtext,
	`usage` longtext,
	`hold_id` int,
	`charged` double NOT NULL DEFAULT 0,
	`chat_id` longtext,
	`record_type` int NOT NULL,
	`polls` int NOT NULL DEFAULT 0,
	`created_at` bigint NOT NULL,
	`updated_at` bigint NOT NULL,
	`completed_at` bigint,
	CONSTRAINT `media_tasks_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `records` (
	`id` int AUTO_INCREMENT NOT NULL,
	`user_id` varchar(191) character set utf8mb4 collate utf8mb4_bin,
	`request_id` longtext,
	`question` longtext NOT NULL,
	`answer` longtext NOT NULL,
	`content` longtext NOT NULL,
	`tool_calls` longtext,
	`model` longtext,
	`served_model` longtext,
	`token` double NOT NULL DEFAULT 0,
	`is_deleted` boolean NOT NULL DEFAULT false,
	`record_type` int NOT NULL,
	`chat_id` longtext,
	`created_at` bigint NOT NULL,
	CONSTRAINT `records_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `runtime_settings` (
	`path` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`value` longtext NOT NULL,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `runtime_settings_path` PRIMARY KEY(`path`)
);
--> statement-breakpoint
CREATE TABLE `stored_responses` (
	`id` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`user_id` varchar(191) character set utf8mb4 collate utf8mb4_bin,
	`key_id` int,
	`previous_id` longtext,
	`input_items` longtext NOT NULL,
	`messages` longtext NOT NULL,
	`output` longtext NOT NULL,
	`response` longtext NOT NULL,
	`created_at` bigint NOT NULL,
	CONSTRAINT `stored_responses_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `usage_records` (
	`id` int AUTO_INCREMENT NOT NULL,
	`request_id` varchar(64) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`client_request_id` longtext,
	`created_at` bigint NOT NULL,
	`client_key_id` int,
	`user_id` varchar(191) character set utf8mb4 collate utf8mb4_bin,
	`provider` varchar(128) character set utf8mb4 collate utf8mb4_bin,
	`credential_id` int,
	`model` longtext NOT NULL,
	`served_model` longtext,
	`stream` boolean NOT NULL,
	`prompt_tokens` int NOT NULL DEFAULT 0,
	`completion_tokens` int NOT NULL DEFAULT 0,
	`estimated` boolean NOT NULL DEFAULT false,
	`latency_ms` int NOT NULL,
	`ttft_ms` int,
	`status` int NOT NULL,
	`error_class` longtext,
	`charged` double NOT NULL DEFAULT 0,
	CONSTRAINT `usage_records_id` PRIMARY KEY(`id`),
	CONSTRAINT `usage_records_request` UNIQUE(`request_id`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`user_id` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL,
	`mode` varchar(191) character set utf8mb4 collate utf8mb4_bin NOT NULL DEFAULT '',
	`token` double NOT NULL DEFAULT 0,
	`avail_token` double NOT NULL DEFAULT 0,
	`updatetime` bigint NOT NULL,
	`limits` longtext,
	CONSTRAINT `users_user_id` PRIMARY KEY(`user_id`)
);
--> statement-breakpoint
CREATE INDEX `billing_holds_created` ON `billing_holds` (`created_at`);--> statement-breakpoint
CREATE INDEX `billing_holds_instance` ON `billing_holds` (`instance_id`);--> statement-breakpoint
CREATE INDEX `chat_sessions_activity` ON `chat_sessions` (`last_activity`);--> statement-breakpoint
CREATE INDEX `conversations_updated` ON `conversations` (`updated_at`);--> statement-breakpoint
CREATE INDEX `credentials_provider` ON `credentials` (`provider`);--> statement-breakpoint
CREATE INDEX `idempotency_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE INDEX `media_tasks_owner` ON `media_tasks` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `media_tasks_status` ON `media_tasks` (`status`);--> statement-breakpoint
CREATE INDEX `records_user` ON `records` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `records_created` ON `records` (`created_at`);--> statement-breakpoint
CREATE INDEX `stored_responses_created` ON `stored_responses` (`created_at`);--> statement-breakpoint
CREATE INDEX `usage_records_created` ON `usage_records` (`created_at`);