ALTER TABLE `calls` ADD `voicemail` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `answered_by_ms` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `answered_by_source` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `voicemail_message` text;
--> statement-breakpoint
ALTER TABLE `api_keys` ADD `default_voicemail` text;
