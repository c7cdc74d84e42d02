CREATE TABLE "log_scan_matches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"scan_id" uuid NOT NULL,
	"line" bigint NOT NULL,
	"stix_id" text NOT NULL,
	"type" text NOT NULL,
	"matched" text NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"format" text NOT NULL,
	"status" text DEFAULT 'receiving' NOT NULL,
	"bytes_expected" bigint,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"lines" bigint DEFAULT 0 NOT NULL,
	"matched_lines" bigint DEFAULT 0 NOT NULL,
	"matches" bigint DEFAULT 0 NOT NULL,
	"off_format" bigint DEFAULT 0 NOT NULL,
	"binary" bigint DEFAULT 0 NOT NULL,
	"indicators" integer DEFAULT 0 NOT NULL,
	"carry" text DEFAULT '' NOT NULL,
	"error" text,
	"incident_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "log_scan_matches" ADD CONSTRAINT "log_scan_matches_scan_id_log_scans_id_fk" FOREIGN KEY ("scan_id") REFERENCES "public"."log_scans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "log_scan_matches_scan_idx" ON "log_scan_matches" USING btree ("scan_id","id");--> statement-breakpoint
CREATE INDEX "log_scans_org_idx" ON "log_scans" USING btree ("org_id","created_at");