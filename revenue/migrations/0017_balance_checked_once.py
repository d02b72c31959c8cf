"""The balance of an entry is checked once, not once per line (issue 16.3: a 10,001-line receipt's
COMMIT took 18 s re-adding the whole entry for each of its lines, 10^8 line reads).

The deferred row triggers stay as they were (one on the entry, one on each line); the function
remembers, in a transaction-local setting, the entry it last found balanced and the highest line
id it summed. A line's event for that entry with an id no higher is already counted and returns at
once; a line added later (after `SET CONSTRAINTS ALL IMMEDIATE` fired the checks mid-transaction)
has a higher id and makes the entry be summed again. Lines go only into the entry being posted
(migration 0002), so an entry's events come together and remembering the last one is enough."""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION revenue_entry_must_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    eid bigint;
    dr numeric;
    cr numeric;
    n integer;
    last_line bigint;
    checked text;
BEGIN
    IF TG_TABLE_NAME = 'revenue_journalentry' THEN
        eid := NEW.id;
    ELSE
        eid := NEW.entry_id;
        checked := COALESCE(current_setting('revenue.balanced', true), '');
        IF checked <> '' AND split_part(checked, ':', 1) = eid::text
           AND NEW.id <= split_part(checked, ':', 2)::bigint THEN
            RETURN NULL;  -- counted when the entry was found balanced
        END IF;
    END IF;
    SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0), COUNT(*), COALESCE(MAX(id), 0)
      INTO dr, cr, n, last_line FROM revenue_journalline WHERE entry_id = eid;
    IF n < 2 THEN
        RAISE EXCEPTION 'journal entry % has % line(s); an entry needs at least two', eid, n
            USING ERRCODE = 'check_violation';
    END IF;
    IF dr <> cr THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits % <> credits %', eid, dr, cr
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('revenue.balanced', eid::text || ':' || last_line::text, true);
    RETURN NULL;
END;
$$;
"""

REVERSE_SQL = r"""
CREATE OR REPLACE FUNCTION revenue_entry_must_balance() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""


class Migration(migrations.Migration):
    dependencies = [("revenue", "0016_search_indexes")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
