CREATE SEQUENCE "public"."incident_ref" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "elections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"day" date NOT NULL,
	"jurisdictions" uuid[] NOT NULL,
	"created_by" uuid,
	"created_by_org" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"data" "bytea" NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_links" (
	"a" uuid NOT NULL,
	"b" uuid NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "incident_links_a_b_pk" PRIMARY KEY("a","b")
);
--> statement-breakpoint
CREATE TABLE "incident_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"title" text NOT NULL,
	"position" integer NOT NULL,
	"playbook" text,
	"done" boolean DEFAULT false NOT NULL,
	"done_at" timestamp with time zone,
	"done_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_timeline" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" uuid,
	"actor_name" text NOT NULL,
	"actor_org" uuid,
	"kind" text NOT NULL,
	"text" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ref" bigint DEFAULT nextval('incident_ref') NOT NULL,
	"owner_org" uuid NOT NULL,
	"author_id" uuid,
	"tlp" "tlp" NOT NULL,
	"recipient_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"recipient_users" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"category" text NOT NULL,
	"component" text NOT NULL,
	"symptom" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"jurisdiction_id" uuid NOT NULL,
	"state_code" text,
	"county_fips" text,
	"location" text,
	"address" text,
	"voting_affected" boolean DEFAULT false NOT NULL,
	"counting_affected" boolean DEFAULT false NOT NULL,
	"channel" text NOT NULL,
	"reporter_name" text,
	"reporter_contact" text,
	"status" text DEFAULT 'new' NOT NULL,
	"assessment" text,
	"assessment_rationale" text,
	"severity" text NOT NULL,
	"computed_severity" text NOT NULL,
	"priority" text,
	"assignee_id" uuid,
	"election_id" uuid,
	"election_day" boolean DEFAULT false NOT NULL,
	"escalation_level" text,
	"triage_due_at" timestamp with time zone NOT NULL,
	"resolve_due_at" timestamp with time zone NOT NULL,
	"triaged_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"merged_into" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incident_attachments" ADD CONSTRAINT "incident_attachments_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_links" ADD CONSTRAINT "incident_links_a_incidents_id_fk" FOREIGN KEY ("a") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_links" ADD CONSTRAINT "incident_links_b_incidents_id_fk" FOREIGN KEY ("b") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_tasks" ADD CONSTRAINT "incident_tasks_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_timeline" ADD CONSTRAINT "incident_timeline_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "elections_day_idx" ON "elections" USING btree ("day");--> statement-breakpoint
CREATE INDEX "incident_attachments_incident_idx" ON "incident_attachments" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "incident_links_b_idx" ON "incident_links" USING btree ("b");--> statement-breakpoint
CREATE INDEX "incident_tasks_incident_idx" ON "incident_tasks" USING btree ("incident_id","position");--> statement-breakpoint
CREATE INDEX "incident_timeline_incident_idx" ON "incident_timeline" USING btree ("incident_id","at");--> statement-breakpoint
CREATE INDEX "incidents_created_idx" ON "incidents" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "incidents_open_idx" ON "incidents" USING btree ("status","created_at") WHERE "incidents"."status" not in ('resolved', 'closed') and "incidents"."merged_into" is null;--> statement-breakpoint
CREATE INDEX "incidents_owner_idx" ON "incidents" USING btree ("owner_org","created_at");--> statement-breakpoint
CREATE INDEX "incidents_jurisdiction_idx" ON "incidents" USING btree ("jurisdiction_id");--> statement-breakpoint
CREATE INDEX "incidents_state_idx" ON "incidents" USING btree ("state_code","status");--> statement-breakpoint
CREATE INDEX "incidents_election_idx" ON "incidents" USING btree ("election_id");--> statement-breakpoint
CREATE INDEX "incidents_recipient_orgs_idx" ON "incidents" USING gin ("recipient_orgs");--> statement-breakpoint
CREATE INDEX "incidents_recipient_users_idx" ON "incidents" USING gin ("recipient_users");--> statement-breakpoint
CREATE INDEX "incidents_search_idx" ON "incidents" USING gin (to_tsvector('english', "title" || ' ' || "description" || ' ' || coalesce("location", '')));--> statement-breakpoint
CREATE INDEX "incidents_ref_idx" ON "incidents" USING btree ("ref");