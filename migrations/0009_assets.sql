CREATE TABLE "assets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"component" text NOT NULL,
	"hostnames" text[] DEFAULT '{}'::text[] NOT NULL,
	"ip_ranges" text[] DEFAULT '{}'::text[] NOT NULL,
	"domains" text[] DEFAULT '{}'::text[] NOT NULL,
	"vendor" text,
	"product" text,
	"version" text,
	"certification" text DEFAULT 'unknown' NOT NULL,
	"acquired_on" date,
	"end_of_support" date,
	"connectivity" text NOT NULL,
	"notes" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "assets_org_name_idx" ON "assets" USING btree ("org_id","name");--> statement-breakpoint
CREATE INDEX "assets_eos_idx" ON "assets" USING btree ("end_of_support") WHERE "assets"."end_of_support" is not null;--> statement-breakpoint
CREATE INDEX "assets_domains_idx" ON "assets" USING gin ("domains");--> statement-breakpoint
CREATE INDEX "assets_hostnames_idx" ON "assets" USING gin ("hostnames");