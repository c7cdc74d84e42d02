CREATE TABLE "indicator_feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"stix_id" text NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid,
	"kind" text NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	"first_seen" timestamp with time zone,
	"last_seen" timestamp with time zone,
	"share_name" boolean DEFAULT false NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "indicator_feedback_stix_idx" ON "indicator_feedback" USING btree ("stix_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "indicator_feedback_fp_once_idx" ON "indicator_feedback" USING btree ("stix_id","org_id") WHERE "indicator_feedback"."kind" = 'false-positive';