DROP INDEX `calls_account_started_idx`;--> statement-breakpoint
CREATE INDEX `calls_account_started_duration_idx` ON `calls` (`account_id`,`started_at`,`duration_sec`);--> statement-breakpoint
CREATE INDEX `calls_account_status_reserved_idx` ON `calls` (`account_id`,`status`,`reserved_sec`);--> statement-breakpoint
CREATE INDEX `calls_status_created_idx` ON `calls` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_status_created_idx` ON `webhook_events` (`status`,`created_at`);