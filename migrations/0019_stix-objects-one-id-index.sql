-- One index by object id instead of two: led by the id, the unique index of versions also serves look-ups by id across collections.
DROP INDEX "stix_objects_stix_id_idx";--> statement-breakpoint
DROP INDEX "stix_objects_version_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "stix_objects_version_idx" ON "stix_objects" USING btree ("stix_id","collection_id","version");