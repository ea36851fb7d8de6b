-- Issue 15: the phone tree. What the request allowed (hold bound, transfer target) so a session
-- restarted from its row keeps it, and what the call left (time on hold, the transfer's outcome).
ALTER TABLE `calls` ADD `max_hold_sec` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `transfer_to` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `transfer_when` text;--> statement-breakpoint
ALTER TABLE `calls` ADD `hold_sec` integer;--> statement-breakpoint
ALTER TABLE `calls` ADD `transfer` text;
