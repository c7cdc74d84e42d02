CREATE TABLE "victim_matches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"asset_id" uuid NOT NULL,
	"stix_id" text NOT NULL,
	"producer_org" uuid NOT NULL,
	"indicator_value" text NOT NULL,
	"indicator_type" text NOT NULL,
	"reason" text NOT NULL,
	"matched" text NOT NULL,
	"acknowledged_by" uuid,
	"acknowledged_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "victim_matches" ADD CONSTRAINT "victim_matches_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "victim_matches_once_idx" ON "victim_matches" USING btree ("asset_id","stix_id","indicator_value");--> statement-breakpoint
CREATE INDEX "victim_matches_org_idx" ON "victim_matches" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "victim_matches_stix_idx" ON "victim_matches" USING btree ("stix_id");