CREATE TABLE `client_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`suffix` text NOT NULL,
	`remark` text DEFAULT '' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`expires_at` integer,
	`allowed_models` text,
	`user_id` text,
	`act_for_others` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `client_keys_hash` ON `client_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`credential_id` integer NOT NULL,
	`history_hash` text NOT NULL,
	`conversation_id` text NOT NULL,
	`parent_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_key` ON `conversations` (`provider`,`history_hash`);--> statement-breakpoint
CREATE INDEX `conversations_updated` ON `conversations` (`updated_at`);--> statement-breakpoint
CREATE TABLE `credentials` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`secret_enc` text NOT NULL,
	`secret_hash` text NOT NULL,
	`secret_tail` text NOT NULL,
	`remark` text DEFAULT '' NOT NULL,
	`source` text DEFAULT 'admin' NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`cooldown_until` integer,
	`failures` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`last_used_at` integer,
	`last_probed_at` integer,
	`account` text,
	`credit` real,
	`advanced_credit` real,
	`subscribed` integer,
	`state_enc` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_provider_secret` ON `credentials` (`provider`,`secret_hash`);--> statement-breakpoint
CREATE INDEX `credentials_provider` ON `credentials` (`provider`);--> statement-breakpoint
CREATE TABLE `usage_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`client_key_id` integer,
	`user_id` text,
	`provider` text,
	`credential_id` integer,
	`model` text NOT NULL,
	`stream` integer NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`estimated` integer DEFAULT false NOT NULL,
	`latency_ms` integer NOT NULL,
	`ttft_ms` integer,
	`status` integer NOT NULL,
	`error_class` text,
	`charged` real DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_records_request` ON `usage_records` (`request_id`);--> statement-breakpoint
CREATE INDEX `usage_records_created` ON `usage_records` (`created_at`);