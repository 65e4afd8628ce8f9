ALTER TABLE `client_keys` ADD `rpm` integer;--> statement-breakpoint
ALTER TABLE `client_keys` ADD `tpm` integer;--> statement-breakpoint
ALTER TABLE `client_keys` ADD `concurrency` integer;--> statement-breakpoint
ALTER TABLE `client_keys` ADD `limits` text;--> statement-breakpoint
ALTER TABLE `users` ADD `limits` text;