ALTER TABLE "orgs" ADD COLUMN "share_matches_with_state" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "victim_matches" ADD COLUMN "disclosed_by" uuid;--> statement-breakpoint
ALTER TABLE "victim_matches" ADD COLUMN "disclosed_at" timestamp with time zone;