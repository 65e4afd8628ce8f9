ALTER TABLE `billing_holds` ADD `instance_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `billing_holds_instance` ON `billing_holds` (`instance_id`);--> statement-breakpoint
ALTER TABLE `chat_sessions` ADD `key_id` integer;--> statement-breakpoint
ALTER TABLE `records` ADD `tool_calls` text;--> statement-breakpoint
ALTER TABLE `records` ADD `model` text;--> statement-breakpoint
ALTER TABLE `records` ADD `served_model` text;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `client_request_id` text;--> statement-breakpoint
ALTER TABLE `usage_records` ADD `served_model` text;