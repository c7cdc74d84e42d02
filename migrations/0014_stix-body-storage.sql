-- STIX bodies are mostly between 1 and 8 kB (ATT&CK techniques, reports). PostgreSQL compresses and moves out
-- of line any row over 2 kB by default, which made compression most of the cost of storing a bundle: rows stay
-- in line up to a page, and what is compressed uses lz4 where the server has it (the embedded database and
-- servers built without it keep pglz).
ALTER TABLE "stix_objects" SET (toast_tuple_target = 8160);--> statement-breakpoint
DO $$ BEGIN
  ALTER TABLE "stix_objects" ALTER COLUMN "body" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR undefined_object THEN
  NULL;
END $$;
