CREATE TABLE "taxii_feeds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"url" text NOT NULL,
	"auth_type" text DEFAULT 'none' NOT NULL,
	"username" text,
	"secret" text,
	"target_collection_id" uuid NOT NULL,
	"owner_org" uuid NOT NULL,
	"created_by" uuid,
	"default_tlp" "tlp" DEFAULT 'AMBER' NOT NULL,
	"interval_minutes" integer DEFAULT 60 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"checkpoint" text,
	"next_poll_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"last_polled_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"objects_received" bigint DEFAULT 0 NOT NULL,
	"objects_refused" bigint DEFAULT 0 NOT NULL,
	"last_poll_stored" integer,
	"last_poll_refused" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "taxii_feeds" ADD CONSTRAINT "taxii_feeds_target_collection_id_taxii_collections_id_fk" FOREIGN KEY ("target_collection_id") REFERENCES "public"."taxii_collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "taxii_feeds_due_idx" ON "taxii_feeds" USING btree ("enabled","next_poll_at");