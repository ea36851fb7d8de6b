CREATE TABLE `do_not_call` (
	`account_id` text NOT NULL,
	`number` text NOT NULL,
	`reason` text,
	`source` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`account_id`, `number`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `do_not_call_account_created_idx` ON `do_not_call` (`account_id`,`created_at`,`number`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `max_calls_per_number_per_day` integer DEFAULT 3 NOT NULL;--> statement-breakpoint
CREATE INDEX `calls_account_to_created_idx` ON `calls` (`account_id`,`to`,`created_at`);