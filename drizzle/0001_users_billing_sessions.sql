CREATE TABLE `billing_holds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`request_id` text NOT NULL,
	`amount` real NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `billing_holds_created` ON `billing_holds` (`created_at`);--> statement-breakpoint
CREATE TABLE `chat_sessions` (
	`session_id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`model` text,
	`conversation_id` text,
	`messages` text NOT NULL,
	`busy_until` integer,
	`last_activity` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `chat_sessions_activity` ON `chat_sessions` (`last_activity`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`body_hash` text NOT NULL,
	`response` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text,
	`request_id` text,
	`question` text DEFAULT '' NOT NULL,
	`answer` text DEFAULT '' NOT NULL,
	`content` text DEFAULT '' NOT NULL,
	`token` real DEFAULT 0 NOT NULL,
	`is_deleted` integer DEFAULT false NOT NULL,
	`record_type` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `records_user` ON `records` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `records_created` ON `records` (`created_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`mode` text DEFAULT '' NOT NULL,
	`token` real DEFAULT 0 NOT NULL,
	`avail_token` real DEFAULT 0 NOT NULL,
	`updatetime` integer NOT NULL
);
