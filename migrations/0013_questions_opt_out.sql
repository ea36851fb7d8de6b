ALTER TABLE `calls` ADD `questions_timeout_sec` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `questions` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `opted_out` integer DEFAULT false NOT NULL;
