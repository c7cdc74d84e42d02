CREATE TABLE "advisories" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_org" uuid NOT NULL,
	"author_id" uuid,
	"tlp" "tlp" NOT NULL,
	"recipient_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"recipient_users" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"title" text NOT NULL,
	"summary" text NOT NULL,
	"actions" text NOT NULL,
	"components" text[] DEFAULT '{}'::text[] NOT NULL,
	"severity" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"stix_refs" text[] DEFAULT '{}'::text[] NOT NULL,
	"incident_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"reviewer_id" uuid,
	"review_note" text,
	"submitted_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"withdrawn_at" timestamp with time zone,
	"withdrawn_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "advisory_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"advisory_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "advisory_responses" ADD CONSTRAINT "advisory_responses_advisory_id_advisories_id_fk" FOREIGN KEY ("advisory_id") REFERENCES "public"."advisories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "advisories_published_idx" ON "advisories" USING btree ("status","published_at","id");--> statement-breakpoint
CREATE INDEX "advisories_owner_idx" ON "advisories" USING btree ("owner_org","updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "advisory_responses_once_idx" ON "advisory_responses" USING btree ("advisory_id","org_id","kind");