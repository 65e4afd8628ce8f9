CREATE TABLE `media_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`key_id` integer,
	`request_id` text NOT NULL,
	`client_request_id` text,
	`kind` text NOT NULL,
	`model` text NOT NULL,
	`status` text NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`provider` text,
	`credential_id` integer,
	`upstream_model` text,
	`upstream_id` text,
	`state` text,
	`request` text NOT NULL,
	`outputs` text,
	`text` text,
	`error` text,
	`error_kind` text,
	`usage` text,
	`hold_id` integer,
	`charged` real DEFAULT 0 NOT NULL,
	`chat_id` text,
	`record_type` integer NOT NULL,
	`polls` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`completed_at` integer
);
--> statement-breakpoint
CREATE INDEX `media_tasks_owner` ON `media_tasks` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `media_tasks_status` ON `media_tasks` (`status`);--> statement-breakpoint
ALTER TABLE `records` ADD `chat_id` text;