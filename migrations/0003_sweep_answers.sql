CREATE TABLE `sweep_answers` (
	`sweep_id` text NOT NULL,
	`kind` text NOT NULL,
	`version` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`sweep_id`, `kind`),
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE cascade
);
