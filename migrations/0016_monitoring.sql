CREATE TABLE "monitor_outages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"monitor_id" uuid NOT NULL,
	"owner_org" uuid NOT NULL,
	"status" text NOT NULL,
	"message" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"duration_seconds" integer,
	"incident_id" uuid,
	"in_maintenance" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monitor_samples" (
	"monitor_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"checks" integer NOT NULL,
	"up" integer NOT NULL,
	"latency_sum_ms" bigint NOT NULL,
	"latency_max_ms" real NOT NULL,
	CONSTRAINT "monitor_samples_monitor_id_bucket_pk" PRIMARY KEY("monitor_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "monitors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_org" uuid NOT NULL,
	"author_id" uuid,
	"tlp" "tlp" NOT NULL,
	"recipient_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"recipient_users" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"target" text NOT NULL,
	"interval_seconds" integer NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"failures_before_down" integer DEFAULT 2 NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"maintenance" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"public" boolean DEFAULT false NOT NULL,
	"created_by" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"status_since" timestamp with time zone,
	"message" text,
	"last_check_at" timestamp with time zone,
	"last_latency_ms" integer,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"baseline_hash" text,
	"baseline_lines" text[] DEFAULT '{}'::text[] NOT NULL,
	"baseline_at" timestamp with time zone,
	"incident_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "monitor_outages" ADD CONSTRAINT "monitor_outages_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_samples" ADD CONSTRAINT "monitor_samples_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "monitor_outages_monitor_idx" ON "monitor_outages" USING btree ("monitor_id","started_at");--> statement-breakpoint
CREATE INDEX "monitors_owner_idx" ON "monitors" USING btree ("owner_org");--> statement-breakpoint
CREATE INDEX "monitors_status_idx" ON "monitors" USING btree ("status");