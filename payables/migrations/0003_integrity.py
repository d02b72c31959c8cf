"""Payables' promises kept by PostgreSQL itself, whatever the code path (a raw statement, a
bug, the admin):

- a payment line is added (or brought back) only for an invoice approved for payment: a held,
  disputed or unmatched invoice can never be selected in a run;
- an invoice with a live payment line cannot be put on hold (void the check first), and an
  invoice becomes paid only from approved;
- the encumbrance memo ledger is append-only: a correction is a new row.
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION payables_line_needs_approved_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    st text;
BEGIN
    IF NEW.voided THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NOT OLD.voided AND OLD.invoice_id = NEW.invoice_id THEN
        RETURN NEW;
    END IF;
    SELECT status INTO st FROM payables_invoice WHERE id = NEW.invoice_id FOR SHARE;
    IF st IS DISTINCT FROM 'approved' THEN
        RAISE EXCEPTION 'invoice % is %, not approved for payment: it cannot be paid', NEW.invoice_id, st
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER paymentline_needs_approved_invoice
    BEFORE INSERT OR UPDATE ON payables_paymentline
    FOR EACH ROW EXECUTE FUNCTION payables_line_needs_approved_invoice();

CREATE FUNCTION payables_invoice_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'held' AND EXISTS (
        SELECT 1 FROM payables_paymentline WHERE invoice_id = NEW.id AND NOT voided
    ) THEN
        RAISE EXCEPTION 'invoice % is in a payment run: void its payment before holding it', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status = 'paid' AND OLD.status <> 'paid' AND OLD.status <> 'approved' THEN
        RAISE EXCEPTION 'invoice % is %, not approved: it cannot be paid', NEW.id, OLD.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER invoice_status_guard
    BEFORE UPDATE OF status ON payables_invoice
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION payables_invoice_status_guard();

CREATE FUNCTION payables_encumbrance_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %: the encumbrance ledger is never changed; add a correcting row',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER encumbrance_append_only
    BEFORE UPDATE OR DELETE ON payables_encumbrance
    FOR EACH ROW EXECUTE FUNCTION payables_encumbrance_append_only();
"""

REVERSE = r"""
DROP TRIGGER encumbrance_append_only ON payables_encumbrance;
DROP FUNCTION payables_encumbrance_append_only();
DROP TRIGGER invoice_status_guard ON payables_invoice;
DROP FUNCTION payables_invoice_status_guard();
DROP TRIGGER paymentline_needs_approved_invoice ON payables_paymentline;
DROP FUNCTION payables_line_needs_approved_invoice();
"""


class Migration(migrations.Migration):
    dependencies = [("payables", "0002_roles")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
