CREATE TABLE `metrics` (
	`trial_id` text NOT NULL,
	`metric` text NOT NULL,
	`kind` text NOT NULL,
	`value` real,
	`steps` text,
	`points` text,
	PRIMARY KEY(`trial_id`, `metric`, `kind`),
	FOREIGN KEY (`trial_id`) REFERENCES `trials`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sweeps` (
	`id` text PRIMARY KEY NOT NULL,
	`experiment` text NOT NULL,
	`name` text,
	`seed` integer NOT NULL,
	`repeats` integer NOT NULL,
	`request` text NOT NULL,
	`total` integer NOT NULL,
	`cancelled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE TABLE `trials` (
	`id` text PRIMARY KEY NOT NULL,
	`sweep_id` text NOT NULL,
	`config_key` text NOT NULL,
	`config_index` integer NOT NULL,
	`repeat` integer NOT NULL,
	`params` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`leased_at` integer,
	`finished_at` integer,
	`duration_ms` real,
	`info` text,
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `trials_sweep_status` ON `trials` (`sweep_id`,`status`);--> statement-breakpoint
CREATE INDEX `trials_sweep_config` ON `trials` (`sweep_id`,`config_key`);