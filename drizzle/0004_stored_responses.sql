CREATE TABLE `stored_responses` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`key_id` integer,
	`previous_id` text,
	`input_items` text NOT NULL,
	`messages` text NOT NULL,
	`output` text NOT NULL,
	`response` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stored_responses_created` ON `stored_responses` (`created_at`);