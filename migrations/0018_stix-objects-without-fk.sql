-- The store locks the collection row before each insert; the per-row check of the key was about an eighth of the time of storing a bundle.
ALTER TABLE "stix_objects" DROP CONSTRAINT "stix_objects_collection_id_taxii_collections_id_fk";
