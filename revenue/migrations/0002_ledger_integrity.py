"""The ledger's rules, enforced by PostgreSQL itself so that no code path (a raw SQL statement,
an admin action, a bug) can break them:

- every journal entry balances and has at least two lines, checked at commit (deferred
  constraint triggers), so lines can be inserted one by one inside the transaction;
- a posted entry or line is never updated or deleted: corrections are reversing entries.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION revenue_entry_must_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    eid bigint;
    dr numeric;
    cr numeric;
    n integer;
BEGIN
    IF TG_TABLE_NAME = 'revenue_journalentry' THEN
        eid := NEW.id;
    ELSE
        eid := NEW.entry_id;
    END IF;
    SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0), COUNT(*)
      INTO dr, cr, n FROM revenue_journalline WHERE entry_id = eid;
    IF n < 2 THEN
        RAISE EXCEPTION 'journal entry % has % line(s); an entry needs at least two', eid, n
            USING ERRCODE = 'check_violation';
    END IF;
    IF dr <> cr THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits % <> credits %', eid, dr, cr
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER journalline_entry_balances
    AFTER INSERT ON revenue_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION revenue_entry_must_balance();

CREATE CONSTRAINT TRIGGER journalentry_has_balanced_lines
    AFTER INSERT ON revenue_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION revenue_entry_must_balance();

CREATE FUNCTION revenue_posted_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %: posted ledger records are never changed; post a reversing entry',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER journalline_immutable
    BEFORE UPDATE OR DELETE ON revenue_journalline
    FOR EACH ROW EXECUTE FUNCTION revenue_posted_is_immutable();

CREATE TRIGGER journalentry_immutable
    BEFORE UPDATE OR DELETE ON revenue_journalentry
    FOR EACH ROW EXECUTE FUNCTION revenue_posted_is_immutable();
"""

REVERSE_SQL = """
DROP TRIGGER journalentry_immutable ON revenue_journalentry;
DROP TRIGGER journalline_immutable ON revenue_journalline;
DROP FUNCTION revenue_posted_is_immutable();
DROP TRIGGER journalentry_has_balanced_lines ON revenue_journalentry;
DROP TRIGGER journalline_entry_balances ON revenue_journalline;
DROP FUNCTION revenue_entry_must_balance();
"""


class Migration(migrations.Migration):
    dependencies = [("revenue", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
