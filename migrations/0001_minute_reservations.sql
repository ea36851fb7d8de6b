-- Seconds a live call may still use, held against the account's minute cap so that concurrent
-- calls cannot overrun it; zero once the call has ended (its duration counts instead).
ALTER TABLE `calls` ADD `reserved_sec` integer DEFAULT 0 NOT NULL;