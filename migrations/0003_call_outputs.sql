ALTER TABLE `calls` ADD `extracted_evidence` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `analysis_error` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `latency_turns` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `latency_p50_ms` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `latency_p95_ms` integer;