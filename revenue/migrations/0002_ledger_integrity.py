"""The ledger's rules, enforced by PostgreSQL itself so that no code path (a raw SQL statement,
an admin action, a bug) can break them:

- every journal entry balances and has at least two lines, checked at commit (deferred
  constraint triggers), so lines can be inserted one by one inside the transaction;
- a posted entry or line is never updated or deleted: corrections are reversing entries;
- lines are added to an entry only as it is posted: inserting an entry records its id in a
  transaction-local setting (`revenue.open_entry`, reverted with a rolled-back savepoint, cleared
  at commit), and a line for any other entry is refused.
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

CREATE FUNCTION revenue_entry_opened() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('revenue.open_entry', NEW.id::text, true);
    RETURN NULL;
END;
$$;

CREATE TRIGGER journalentry_opened
    AFTER INSERT ON revenue_journalentry
    FOR EACH ROW EXECUTE FUNCTION revenue_entry_opened();

CREATE FUNCTION revenue_line_into_open_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF COALESCE(current_setting('revenue.open_entry', true), '') <> NEW.entry_id::text THEN
        RAISE EXCEPTION 'journal entry % is already posted: lines are added only as an entry is posted; post a new entry',
            NEW.entry_id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER journalline_into_open_entry
    BEFORE INSERT ON revenue_journalline
    FOR EACH ROW EXECUTE FUNCTION revenue_line_into_open_entry();
"""

REVERSE_SQL = """DROP TRIGGER journalline_into_open_entry ON revenue_journalline;
DROP FUNCTION revenue_line_into_open_entry();
DROP TRIGGER journalentry_opened ON revenue_journalentry;
DROP FUNCTION revenue_entry_opened();
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
