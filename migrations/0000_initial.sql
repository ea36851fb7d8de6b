CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`minute_cap` integer,
	`period_anchor` text NOT NULL,
	`webhook_secret` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`name` text,
	`default_voice` text,
	`default_caller_id` text,
	`rate_limit` integer NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	`last_used_at` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_account_idx` ON `api_keys` (`account_id`);--> statement-breakpoint
CREATE TABLE `calls` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`api_key_id` text NOT NULL,
	`to` text NOT NULL,
	`caller_id` text NOT NULL,
	`objective` text NOT NULL,
	`context` text,
	`fields` text DEFAULT '[]' NOT NULL,
	`webhook_url` text,
	`voice` text NOT NULL,
	`language` text NOT NULL,
	`language_source` text NOT NULL,
	`status` text NOT NULL,
	`summary` text,
	`transcript` text,
	`extracted` text,
	`recording_key` text,
	`provider_call_id` text,
	`answered_by` text,
	`error` text,
	`created_at` text NOT NULL,
	`started_at` text,
	`ended_at` text,
	`duration_sec` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `calls_account_created_idx` ON `calls` (`account_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `calls_account_status_created_idx` ON `calls` (`account_id`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `calls_account_started_idx` ON `calls` (`account_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`account_id` text NOT NULL,
	`key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`state` text NOT NULL,
	`call_id` text,
	`response_status` integer,
	`response_body` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`account_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `phone_numbers` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`number` text NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `phone_numbers_account_number_idx` ON `phone_numbers` (`account_id`,`number`);