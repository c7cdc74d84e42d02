CREATE TABLE "rla_audit_boards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"audit_id" uuid NOT NULL,
	"round_id" uuid NOT NULL,
	"county_org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"passphrase_hash" text,
	"session_hash" text,
	"session_expires_at" timestamp with time zone,
	"members" text[] DEFAULT '{}'::text[] NOT NULL,
	"signed_off_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rla_audits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_org" uuid NOT NULL,
	"author_id" uuid,
	"tlp" "tlp" NOT NULL,
	"recipient_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"recipient_users" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"name" text NOT NULL,
	"election_id" uuid,
	"audit_type" text NOT NULL,
	"risk_limit" integer NOT NULL,
	"status" text DEFAULT 'setup' NOT NULL,
	"seed" text,
	"seed_entered_by" uuid,
	"seed_entered_by_name" text,
	"seed_entered_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rla_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"audit_id" uuid NOT NULL,
	"county_org_id" uuid NOT NULL,
	"container" text,
	"tabulator" text,
	"name" text NOT NULL,
	"ballots" integer NOT NULL,
	"tallies" jsonb
);
--> statement-breakpoint
CREATE TABLE "rla_contests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"audit_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"num_winners" integer NOT NULL,
	"votes_allowed" integer NOT NULL,
	"ballots_cast" integer NOT NULL,
	"choices" jsonb NOT NULL,
	"counties" uuid[] DEFAULT '{}'::uuid[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rla_counties" (
	"audit_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"ballots_cast" integer,
	"manifest_file" text,
	"manifest_sha256" text,
	"manifest_encoding" text,
	"manifest_batches" integer,
	"manifest_ballots" integer,
	"manifest_uploaded_at" timestamp with time zone,
	"manifest_uploaded_by" text,
	"results_file" text,
	"results_sha256" text,
	"results_rows" integer,
	"results_uploaded_at" timestamp with time zone,
	"results_uploaded_by" text,
	CONSTRAINT "rla_counties_audit_id_org_id_pk" PRIMARY KEY("audit_id","org_id")
);
--> statement-breakpoint
CREATE TABLE "rla_cvrs" (
	"batch_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"votes" jsonb NOT NULL,
	CONSTRAINT "rla_cvrs_batch_id_position_pk" PRIMARY KEY("batch_id","position")
);
--> statement-breakpoint
CREATE TABLE "rla_draws" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"audit_id" uuid NOT NULL,
	"round_id" uuid NOT NULL,
	"contest_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"position" integer,
	"ticket" text NOT NULL,
	"times_sampled" integer NOT NULL,
	"board_id" uuid
);
--> statement-breakpoint
CREATE TABLE "rla_interpretations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"audit_id" uuid NOT NULL,
	"round_id" uuid NOT NULL,
	"board_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"position" integer,
	"contest_id" uuid NOT NULL,
	"reading" text NOT NULL,
	"choices" text[] DEFAULT '{}'::text[] NOT NULL,
	"votes" jsonb,
	"comment" text,
	"members" text[] DEFAULT '{}'::text[] NOT NULL,
	"incident_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rla_rounds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"audit_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"sizes" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_by" text NOT NULL,
	"ended_at" timestamp with time zone,
	"results" jsonb
);
--> statement-breakpoint
ALTER TABLE "rla_audit_boards" ADD CONSTRAINT "rla_audit_boards_audit_id_rla_audits_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."rla_audits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rla_audit_boards" ADD CONSTRAINT "rla_audit_boards_round_id_rla_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rla_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rla_batches" ADD CONSTRAINT "rla_batches_audit_id_rla_audits_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."rla_audits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rla_contests" ADD CONSTRAINT "rla_contests_audit_id_rla_audits_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."rla_audits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rla_counties" ADD CONSTRAINT "rla_counties_audit_id_rla_audits_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."rla_audits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rla_cvrs" ADD CONSTRAINT "rla_cvrs_batch_id_rla_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."rla_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rla_draws" ADD CONSTRAINT "rla_draws_audit_id_rla_audits_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."rla_audits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rla_draws" ADD CONSTRAINT "rla_draws_round_id_rla_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rla_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rla_interpretations" ADD CONSTRAINT "rla_interpretations_audit_id_rla_audits_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."rla_audits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rla_rounds" ADD CONSTRAINT "rla_rounds_audit_id_rla_audits_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."rla_audits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rla_audit_boards_round_idx" ON "rla_audit_boards" USING btree ("round_id","county_org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rla_audit_boards_session_uq" ON "rla_audit_boards" USING btree ("session_hash");--> statement-breakpoint
CREATE INDEX "rla_audits_owner_idx" ON "rla_audits" USING btree ("owner_org","created_at");--> statement-breakpoint
CREATE INDEX "rla_batches_county_idx" ON "rla_batches" USING btree ("audit_id","county_org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rla_batches_key_uq" ON "rla_batches" USING btree ("audit_id","county_org_id",coalesce("tabulator", ''),"name");--> statement-breakpoint
CREATE UNIQUE INDEX "rla_contests_name_uq" ON "rla_contests" USING btree ("audit_id",lower("name"));--> statement-breakpoint
CREATE INDEX "rla_draws_round_idx" ON "rla_draws" USING btree ("round_id","batch_id","position");--> statement-breakpoint
CREATE INDEX "rla_draws_board_idx" ON "rla_draws" USING btree ("board_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rla_interpretations_uq" ON "rla_interpretations" USING btree ("audit_id","batch_id",coalesce("position", 0),"contest_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rla_rounds_number_uq" ON "rla_rounds" USING btree ("audit_id","number");