ALTER TABLE `accounts` ADD `display_name` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `scheduled_for` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `on_behalf_of` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `disclosure_spoken` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `disclosure_at_ms` integer;
