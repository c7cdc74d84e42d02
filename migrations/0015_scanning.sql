CREATE TABLE "scan_authorizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_org" uuid NOT NULL,
	"author_id" uuid,
	"tlp" "tlp" NOT NULL,
	"recipient_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"recipient_users" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"scope" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'requested' NOT NULL,
	"acceptance_text" text NOT NULL,
	"acceptance_version" text NOT NULL,
	"accepted_by" uuid NOT NULL,
	"accepted_by_name" text NOT NULL,
	"accepted_at" timestamp with time zone NOT NULL,
	"window" jsonb,
	"rate_per_second" integer DEFAULT 100 NOT NULL,
	"decided_by" uuid,
	"decided_by_name" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"next_scan_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scan_findings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_org" uuid NOT NULL,
	"author_id" uuid,
	"tlp" "tlp" NOT NULL,
	"recipient_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"recipient_users" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"key" text NOT NULL,
	"check_id" text NOT NULL,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"host" text NOT NULL,
	"address" text,
	"port" integer,
	"subject" text,
	"evidence" text NOT NULL,
	"fix" text NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"first_scan_id" uuid NOT NULL,
	"last_scan_id" uuid NOT NULL,
	"mitigated_at" timestamp with time zone,
	"redetected_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"due_election_day" text,
	"accepted_until" timestamp with time zone,
	"accepted_reason" text,
	"accepted_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_org" uuid NOT NULL,
	"author_id" uuid,
	"tlp" "tlp" NOT NULL,
	"recipient_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"recipient_users" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"authorization_id" uuid NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"trigger" text NOT NULL,
	"targets" text[] DEFAULT '{}'::text[] NOT NULL,
	"requested_by" uuid,
	"not_before" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"summary" jsonb,
	"report" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "scans" ADD CONSTRAINT "scans_authorization_id_scan_authorizations_id_fk" FOREIGN KEY ("authorization_id") REFERENCES "public"."scan_authorizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "scan_authorizations_owner_idx" ON "scan_authorizations" USING btree ("owner_org","created_at");--> statement-breakpoint
CREATE INDEX "scan_authorizations_due_idx" ON "scan_authorizations" USING btree ("next_scan_at") WHERE "scan_authorizations"."status" = 'approved';--> statement-breakpoint
CREATE UNIQUE INDEX "scan_findings_key_idx" ON "scan_findings" USING btree ("owner_org","key");--> statement-breakpoint
CREATE INDEX "scan_findings_open_idx" ON "scan_findings" USING btree ("owner_org","status","severity");--> statement-breakpoint
CREATE INDEX "scans_owner_idx" ON "scans" USING btree ("owner_org","created_at");--> statement-breakpoint
CREATE INDEX "scans_authorization_idx" ON "scans" USING btree ("authorization_id","created_at");