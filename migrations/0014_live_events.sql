ALTER TABLE `calls` ADD `live_events` text;
