CREATE TABLE `experiments` (
	`id` text PRIMARY KEY NOT NULL,
	`spec` text NOT NULL,
	`title` text NOT NULL,
	`created_at` integer NOT NULL
);
