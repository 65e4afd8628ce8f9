CREATE TABLE `mcp_servers` (
	`name` text PRIMARY KEY NOT NULL,
	`config_enc` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `runtime_settings` (
	`path` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
