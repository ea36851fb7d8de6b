CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` text NOT NULL,
	`status_code` integer,
	`latency_ms` integer NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_event_idx` ON `webhook_deliveries` (`event_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`call_id` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`delivered_at` text,
	`next_attempt_at` text
);
--> statement-breakpoint
CREATE INDEX `webhook_events_call_idx` ON `webhook_events` (`call_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `previous_webhook_secret` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `previous_secret_expires_at` text;