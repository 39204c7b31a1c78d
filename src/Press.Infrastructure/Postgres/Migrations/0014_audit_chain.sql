-- The tamper-evident audit chain (docs/architecture.md §14): every entry carries the previous entry's hash and its own.
-- Rows written before this migration keep NULL in both; the first chained entry's prev_hash covers them.
-- Adding columns needs the table's owner. On an installation bootstrap has already secured, audit_events belongs to
-- `<press role>_audit`, so bootstrap adds these columns as the superuser first (AuditTable.AddChainColumnsAsync) and
-- this block finds them there; a manager started without running bootstrap stops here with the fix.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                   WHERE attrelid = 'public.audit_events'::pg_catalog.regclass AND attname = 'hash' AND NOT attisdropped) THEN
        ALTER TABLE public.audit_events ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'audit_events needs the audit chain columns and belongs to another role: run `press-manager bootstrap` (docs/architecture.md §14)';
END $$;
