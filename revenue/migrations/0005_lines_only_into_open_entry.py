"""Lines are added to an entry only as it is posted: once another entry has been started in the
transaction, or the transaction has ended, an entry's lines are closed.

The AFTER INSERT trigger on the entry records its id in a transaction-local setting
(`revenue.open_entry`, reverted with a rolled-back savepoint and cleared at commit); a line
whose entry is not the open one is refused. Together with 0002 (no UPDATE, no DELETE) a posted
entry cannot change at all.
"""

from django.db import migrations

SQL = r"""
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

REVERSE_SQL = """
DROP TRIGGER journalline_into_open_entry ON revenue_journalline;
DROP FUNCTION revenue_line_into_open_entry();
DROP TRIGGER journalentry_opened ON revenue_journalentry;
DROP FUNCTION revenue_entry_opened();
"""


class Migration(migrations.Migration):
    dependencies = [("revenue", "0004_charge_pass_through_interfund_roles")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
