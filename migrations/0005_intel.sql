CREATE TABLE "stix_objects" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stix_objects_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"collection_id" uuid NOT NULL,
	"stix_id" text NOT NULL,
	"type" text NOT NULL,
	"spec_version" text DEFAULT '2.1' NOT NULL,
	"version" text NOT NULL,
	"version_at" timestamp with time zone NOT NULL,
	"date_added" timestamp with time zone NOT NULL,
	"is_latest" boolean DEFAULT true NOT NULL,
	"revoked" boolean DEFAULT false NOT NULL,
	"owner_org" uuid NOT NULL,
	"author_id" uuid,
	"tlp" "tlp" NOT NULL,
	"recipient_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"recipient_users" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"body" text NOT NULL,
	"name" text,
	"pattern" text,
	"pattern_type" text,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"confidence" integer,
	"created_by_ref" text,
	"source_ref" text,
	"target_ref" text
);
--> statement-breakpoint
CREATE TABLE "taxii_collections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"readers_all" boolean DEFAULT false NOT NULL,
	"reader_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"writer_orgs" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"default_tlp" "tlp" DEFAULT 'AMBER' NOT NULL,
	"last_added_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "taxii_statuses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"collection_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"status" text NOT NULL,
	"total_count" integer NOT NULL,
	"successes" jsonb NOT NULL,
	"failures" jsonb NOT NULL,
	"pendings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stix_objects" ADD CONSTRAINT "stix_objects_collection_id_taxii_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."taxii_collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "stix_objects_added_idx" ON "stix_objects" USING btree ("collection_id","date_added");--> statement-breakpoint
CREATE UNIQUE INDEX "stix_objects_version_idx" ON "stix_objects" USING btree ("collection_id","stix_id","version");--> statement-breakpoint
CREATE INDEX "stix_objects_type_idx" ON "stix_objects" USING btree ("type","is_latest");--> statement-breakpoint
CREATE INDEX "stix_objects_stix_id_idx" ON "stix_objects" USING btree ("stix_id");--> statement-breakpoint
CREATE INDEX "stix_objects_source_idx" ON "stix_objects" USING btree ("source_ref") WHERE "stix_objects"."source_ref" is not null;--> statement-breakpoint
CREATE INDEX "stix_objects_target_idx" ON "stix_objects" USING btree ("target_ref") WHERE "stix_objects"."target_ref" is not null;--> statement-breakpoint
CREATE INDEX "taxii_statuses_user_idx" ON "taxii_statuses" USING btree ("user_id","created_at");