-- Change notifications for the in-memory read caches of every API node (src/platform/cache).
-- A committed change to who someone is or what they may read sends NOTIFY eoc_changed, whichever process
-- made it (an API node, a worker, the eoc command, a person with psql). Payloads:
--   'access'        users, organisations, sessions, API tokens: drop cached identities and everything read with them
--   'data'          shareable records: drop cached lists and counts
--   'reads:<uuid>'  one user's read marks: drop that user's cached lists and counts
-- Columns that change on every sign-in or request (failed_logins, last_login_at, sessions.last_seen_at,
-- api_tokens.last_used_at) do not notify, so the caches survive ordinary traffic.
CREATE OR REPLACE FUNCTION eoc_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('eoc_changed', TG_ARGV[0]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION eoc_notify_reads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('eoc_changed', 'reads:' || OLD.user_id::text);
  ELSE
    PERFORM pg_notify('eoc_changed', 'reads:' || NEW.user_id::text);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER orgs_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON orgs FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('access');
--> statement-breakpoint
CREATE TRIGGER users_notify AFTER INSERT OR DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('access');
--> statement-breakpoint
CREATE TRIGGER users_notify_update AFTER UPDATE OF org_id, email, name, role, system_admin, active, mfa_enabled ON users FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('access');
--> statement-breakpoint
CREATE TRIGGER sessions_notify AFTER DELETE OR TRUNCATE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('access');
--> statement-breakpoint
CREATE TRIGGER sessions_notify_update AFTER UPDATE OF user_id, mfa_verified, csrf_token ON sessions FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('access');
--> statement-breakpoint
CREATE TRIGGER api_tokens_notify AFTER DELETE OR TRUNCATE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('access');
--> statement-breakpoint
CREATE TRIGGER api_tokens_notify_update AFTER UPDATE OF user_id, token_hash, scopes, expires_at, revoked_at ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('access');
--> statement-breakpoint
CREATE TRIGGER bulletins_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bulletins FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('data');
--> statement-breakpoint
CREATE TRIGGER bulletin_attachments_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bulletin_attachments FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('data');
--> statement-breakpoint
CREATE TRIGGER bulletin_reads_notify AFTER INSERT OR UPDATE OR DELETE ON bulletin_reads FOR EACH ROW EXECUTE FUNCTION eoc_notify_reads();
--> statement-breakpoint
CREATE TRIGGER bulletin_reads_notify_truncate AFTER TRUNCATE ON bulletin_reads FOR EACH STATEMENT EXECUTE FUNCTION eoc_notify_change('data');
