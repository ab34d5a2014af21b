CREATE TABLE `sweep_settles` (
	`sweep_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`round` integer DEFAULT 0 NOT NULL,
	`budget_trials` integer NOT NULL,
	`budget_cpu_ms` integer,
	`spent_trials` integer DEFAULT 0 NOT NULL,
	`spent_cpu_ms` integer DEFAULT 0 NOT NULL,
	`reason` text,
	`history` text NOT NULL,
	`started_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE cascade
);
