"""Who may open what: every URL of the system (its arguments from the demo city) as every role,
against one table of expected statuses. A new URL without a row in the table fails the test, so
every page's access is decided on purpose, not by accident.

Statuses: 200 the page; 302 to the login (anonymous) or onward; 403 the role may not; 405 the
role may, but only by POST (the permission is checked first); 400 a page that needs its
parameters. The Auditor reads everything and changes nothing: it never has a 405 (a form it may
post) except where a POST only reads."""

from __future__ import annotations

import os

import pytest
from django.urls import resolve

from tests.test_fuzz import _client, _urls
from tests.test_fuzz import demo as demo  # noqa: F401 - the demo city, loaded once per test

ROLES = ["anonymous", "clerk", "senior", "supervisor", "auditor", "field"]
USERS = {
    "clerk": "clerk1",
    "senior": "clerk2",
    "supervisor": "supervisor",
    "auditor": "auditor",
    "field": "field",
}

# url name: statuses for anonymous, ASR I, ASR II, supervisor, auditor, field crew
EXPECTED: dict[str, tuple[int, ...]] = {
    "account_activity": (302, 403, 403, 200, 200, 403),
    "account_activity_xlsx": (302, 403, 403, 200, 200, 403),
    "admin_login": (302, 403, 403, 302, 302, 403),
    "approval_detail": (302, 200, 404, 200, 200, 403),
    "approval_list": (302, 200, 200, 200, 200, 403),
    "approval_request": (302, 200, 200, 200, 403, 403),
    "cashiering:basket": (302, 405, 405, 405, 403, 403),
    "cashiering:batch_list": (302, 200, 200, 200, 403, 403),
    "cashiering:close_out": (302, 302, 302, 302, 403, 403),
    "cashiering:counter": (302, 302, 302, 302, 403, 403),
    "cashiering:day": (302, 403, 403, 200, 403, 403),
    "cashiering:day_pdf": (302, 403, 403, 200, 403, 403),
    "cashiering:day_xlsx": (302, 403, 403, 200, 403, 403),
    "cashiering:deposit_list": (302, 403, 403, 200, 403, 403),
    "cashiering:pay": (302, 405, 405, 405, 403, 403),
    "cashiering:session_open": (302, 200, 200, 200, 403, 403),
    # money in suspense: a senior's or a supervisor's duty; the Auditor reads it
    "cashiering:suspense_list": (302, 403, 200, 200, 200, 403),
    "cashiering:suspense_detail": (302, 403, 200, 200, 200, 403),
    "cashiering:suspense_letter": (302, 403, 200, 200, 200, 403),
    "cashiering:remittance_letter": (302, 200, 200, 200, 403, 403),
    "charge_create": (302, 200, 200, 200, 403, 403),
    "healthz": (200, 200, 200, 200, 200, 200),
    "home": (302, 200, 200, 200, 200, 200),
    "import_profile_edit": (302, 403, 403, 200, 403, 403),
    "import_profile_list": (302, 403, 403, 200, 403, 403),
    "import_profile_new": (302, 403, 403, 302, 403, 403),  # without ?target= it goes to the list
    "import_profile_preview": (302, 403, 403, 302, 403, 403),  # a GET (a reload) goes to the profile
    "job_list": (302, 200, 200, 200, 200, 200),
    "journal_entry": (302, 403, 403, 200, 200, 403),
    "licensing:application_new": (302, 200, 200, 200, 403, 403),
    "licensing:certificate": (302, 200, 200, 200, 200, 403),
    "licensing:license_detail": (302, 200, 200, 200, 200, 403),
    "licensing:license_list": (302, 200, 200, 200, 200, 403),
    "licensing:past_due_letters": (302, 200, 200, 200, 200, 403),
    "licensing:reconciliation": (302, 200, 200, 200, 200, 403),
    "licensing:reconciliation_xlsx": (302, 200, 200, 200, 200, 403),
    "licensing:renewal_list_xlsx": (302, 200, 200, 200, 200, 403),
    "licensing:renewal_notices": (302, 200, 200, 200, 200, 403),
    "licensing:renewals": (302, 403, 403, 200, 403, 403),
    "licensing:roll_forward": (302, 403, 403, 405, 403, 403),
    "licensing:verify": (200, 200, 200, 200, 200, 200),
    "licensing:verify_form": (200, 200, 200, 200, 200, 200),
    "login": (200, 302, 302, 302, 302, 302),
    "logout": (302, 405, 405, 405, 405, 405),
    "otp_enrol": (302, 200, 200, 200, 200, 200),
    "otp_verify": (302, 302, 302, 302, 302, 302),
    "parking:citation_detail": (302, 200, 200, 200, 200, 403),
    "parking:citation_lookup": (302, 200, 200, 200, 200, 403),
    "parking:citation_new": (302, 200, 200, 200, 403, 403),
    "parking:citation_report": (302, 403, 403, 200, 200, 403),
    "parking:citation_report_xlsx": (302, 403, 403, 200, 200, 403),
    "parking:import_list": (302, 200, 200, 200, 200, 403),
    "parking:fine_schedule_import": (302, 403, 403, 200, 403, 403),
    "parking:import_new": (302, 403, 302, 302, 403, 403),  # a GET (a reload) shows the upload page
    "parking:import_sample_csv": (302, 200, 200, 200, 200, 403),
    "parking:inventory": (302, 200, 200, 200, 200, 403),
    "parking:inventory_mark": (302, 403, 403, 405, 403, 403),
    "parking:inventory_receive": (302, 403, 403, 405, 403, 403),
    "parking:inventory_xlsx": (302, 200, 200, 200, 200, 403),
    "parking:notices": (302, 403, 403, 200, 403, 403),
    "parking:permit_detail": (302, 200, 200, 200, 200, 403),
    "parking:permit_letter": (302, 200, 200, 200, 200, 403),
    "parking:permit_list": (302, 200, 200, 200, 200, 403),
    "parking:permit_new": (302, 200, 200, 200, 403, 403),
    "parking:permit_report": (302, 403, 403, 200, 200, 403),
    "parking:permit_report_xlsx": (302, 403, 403, 200, 200, 403),
    "parking:plan_new": (302, 403, 200, 200, 403, 403),
    "parking:violation_detail": (302, 200, 200, 200, 200, 403),
    "parking:violation_fine_add": (302, 403, 403, 405, 403, 403),
    # payables' invoice audit: clerks enter, match, hold and dispute; seniors and supervisors
    # approve (a variance only a supervisor, in the service); the auditor reads
    "payables:invoice_list": (302, 200, 200, 200, 200, 403),
    "payables:invoice_new": (302, 200, 200, 200, 403, 403),
    "payables:invoice": (302, 200, 200, 200, 200, 403),
    "payables:invoice_match": (302, 405, 405, 405, 403, 403),
    "payables:invoice_hold": (302, 405, 405, 405, 403, 403),
    "payables:invoice_release": (302, 405, 405, 405, 403, 403),
    "payables:invoice_dispute": (302, 405, 405, 405, 403, 403),
    "payables:invoice_approve": (302, 403, 405, 405, 403, 403),
    "payables:invoice_correct": (302, 200, 200, 200, 403, 403),
    "payables:discrepancy_letter": (302, 200, 200, 200, 200, 403),
    "parking:violation_list": (302, 200, 200, 200, 200, 403),
    "parking:violation_new": (302, 403, 403, 405, 403, 403),
    "party_create": (302, 200, 200, 200, 403, 403),
    "party_detail": (302, 200, 200, 200, 200, 403),
    "party_edit": (302, 200, 200, 200, 403, 403),
    "password_change": (302, 200, 200, 200, 200, 200),
    # payables: clerks ask and receive, seniors keep vendors, approve within limits and order,
    # supervisors keep the budget; the field crew receives; the Auditor reads
    "payables:amendment_decide": (302, 403, 403, 405, 403, 403),
    "payables:amendment_new": (302, 403, 403, 405, 403, 403),
    "payables:budget_actual": (302, 200, 200, 200, 200, 403),
    "payables:budget_actual_xlsx": (302, 200, 200, 200, 200, 403),
    "payables:budget_adopt": (302, 403, 403, 405, 403, 403),
    "payables:budget_list": (302, 200, 200, 200, 200, 403),
    "payables:order_issue": (302, 403, 405, 405, 403, 403),
    "payables:order_list": (302, 200, 200, 200, 200, 200),
    "payables:po": (302, 200, 200, 200, 200, 200),
    "payables:po_change": (302, 403, 200, 200, 403, 403),
    "payables:po_close": (302, 403, 405, 405, 403, 403),
    "payables:po_pdf": (302, 200, 200, 200, 200, 200),
    "payables:receipt_new": (302, 200, 200, 200, 403, 200),
    "payables:requisition": (302, 200, 200, 200, 200, 403),
    "payables:requisition_decide": (302, 403, 405, 405, 403, 403),
    "payables:requisition_list": (302, 200, 200, 200, 200, 403),
    "payables:requisition_new": (302, 200, 200, 200, 403, 403),
    "payables:vendor": (302, 200, 200, 200, 200, 403),
    "payables:vendor_contact": (302, 405, 405, 405, 403, 403),
    "payables:vendor_edit": (302, 403, 200, 200, 403, 403),
    "payables:vendor_list": (302, 200, 200, 200, 200, 403),
    "payables:vendor_new": (302, 403, 200, 200, 403, 403),
    "payables:vendor_status": (302, 403, 405, 405, 403, 403),
    "receivables:aging": (302, 403, 200, 200, 200, 403),
    "receivables:aging_xlsx": (302, 403, 200, 200, 200, 403),
    "receivables:credit_memo_new": (302, 200, 200, 200, 403, 403),
    "receivables:dunning": (302, 403, 200, 200, 403, 403),
    "receivables:followup_new": (302, 200, 200, 200, 403, 403),
    "receivables:invoice_detail": (302, 200, 200, 200, 200, 403),
    "receivables:invoice_list": (302, 200, 200, 200, 200, 403),
    "receivables:invoice_new": (302, 200, 200, 200, 403, 403),
    "receivables:invoice_pdf": (302, 200, 200, 200, 200, 403),
    "receivables:referrals": (302, 403, 200, 200, 200, 403),
    "receivables:referrals_xlsx": (302, 403, 200, 200, 200, 403),
    "receivables:statement": (302, 200, 200, 200, 200, 403),
    "receivables:statement_pdf": (302, 200, 200, 200, 200, 403),
    "receivables:statistics": (302, 403, 200, 200, 200, 403),
    "receivables:statistics_xlsx": (302, 403, 200, 200, 200, 403),
    "receivables:worklist": (302, 200, 200, 200, 403, 403),
    "receivables:write_off": (302, 200, 200, 200, 403, 403),
    "refund_request": (302, 200, 200, 200, 403, 403),
    "refunds_payable": (302, 403, 403, 200, 200, 403),
    "refunds_payable_xlsx": (302, 403, 403, 200, 200, 403),
    "search": (302, 200, 200, 200, 200, 403),
    "tot:nonfiler_notices_pdf": (302, 403, 200, 200, 200, 403),
    "tot:nonfiler_notices_send": (302, 403, 405, 405, 403, 403),
    "tot:nonfilers": (302, 403, 200, 200, 200, 403),
    "tot:operator_detail": (302, 200, 200, 200, 200, 403),
    "tot:operator_edit": (302, 200, 200, 200, 403, 403),
    "tot:operator_list": (302, 200, 200, 200, 200, 403),
    "tot:operator_new": (302, 200, 200, 200, 403, 403),
    "tot:report": (302, 403, 200, 200, 200, 403),
    "tot:report_xlsx": (302, 403, 200, 200, 200, 403),
    "tot:return_adjust": (302, 403, 403, 200, 403, 403),
    "tot:return_amend": (302, 200, 200, 200, 403, 403),
    "tot:return_detail": (302, 200, 200, 200, 200, 403),
    "tot:return_log": (302, 200, 200, 200, 200, 403),
    "tot:return_new": (302, 200, 200, 200, 403, 403),
    "trial_balance": (302, 403, 403, 200, 200, 403),
    "trial_balance_pdf": (302, 403, 403, 200, 200, 403),
    "trial_balance_xlsx": (302, 403, 403, 200, 200, 403),
    # utility rates (ub-rates): everyone at the counter reads them and previews a calculation;
    # only a supervisor adds a schedule or withdraws one (POST only)
    "utility_billing:rates_list": (302, 200, 200, 200, 200, 403),
    "utility_billing:rates_new": (302, 403, 403, 200, 403, 403),
    "utility_billing:rates_preview": (302, 200, 200, 200, 200, 403),
    "utility_billing:rates_detail": (302, 200, 200, 200, 200, 403),
    "utility_billing:rates_withdraw": (302, 403, 403, 405, 403, 403),
    # utility billing: premises, accounts, meters and service orders (ub-orders); the field crew
    # sees orders, premises and meters and completes orders, never an account's money
    "utility_billing:premise_new": (302, 200, 200, 200, 403, 403),
    "utility_billing:premise": (302, 200, 200, 200, 200, 200),
    "utility_billing:premise_edit": (302, 200, 200, 200, 403, 403),
    "utility_billing:account": (302, 200, 200, 200, 200, 403),
    "utility_billing:meter_list": (302, 200, 200, 200, 200, 200),
    "utility_billing:meter_new": (302, 403, 200, 200, 403, 403),
    "utility_billing:meter": (302, 200, 200, 200, 200, 200),
    "utility_billing:meter_install": (302, 403, 405, 405, 403, 403),
    "utility_billing:meter_remove": (302, 403, 405, 405, 403, 403),
    "utility_billing:order_list": (302, 200, 200, 200, 200, 200),
    "utility_billing:order_new": (302, 200, 200, 200, 403, 403),
    "utility_billing:order": (302, 200, 200, 200, 200, 200),
    "utility_billing:order_schedule": (302, 405, 405, 405, 403, 403),
    "utility_billing:order_assign": (302, 405, 405, 405, 403, 403),
    "utility_billing:order_cancel": (302, 405, 405, 405, 403, 403),
    "utility_billing:order_complete": (302, 405, 405, 405, 403, 405),
    "utility_billing:order_pdf": (302, 200, 200, 200, 200, 200),
    "utility_billing:field_queue": (302, 200, 200, 200, 403, 200),
    "utility_billing:field_queue_pdf": (302, 200, 200, 200, 403, 200),
    "utility_billing:field_order": (302, 200, 200, 200, 403, 200),
    # utility collection: the delinquent accounts, notices and shut-off list are read by the counter
    # and the Auditor; late fees are a supervisor's run; plans a senior's or supervisor's
    "utility_billing:delinquency": (302, 200, 200, 200, 200, 403),
    "utility_billing:late_fees": (302, 403, 403, 200, 403, 403),
    "utility_billing:notices": (302, 200, 200, 200, 200, 403),
    "utility_billing:notices_pdf": (302, 200, 200, 200, 200, 403),
    "utility_billing:shutoff": (302, 200, 200, 200, 200, 403),
    "utility_billing:door_hangers": (302, 403, 405, 405, 403, 403),
    "utility_billing:disconnections": (302, 200, 200, 200, 200, 403),
    "utility_billing:collect_account": (302, 200, 200, 200, 200, 403),
    "utility_billing:plan_new": (302, 403, 200, 200, 403, 403),
    "utility_billing:plan": (302, 200, 200, 200, 200, 403),
    # utility bill runs and bills (ub-bills): a Representative II starts a run, a supervisor
    # approves, posts, releases or takes it back; the counter reads runs and bills
    "utility_billing:runs": (302, 200, 200, 200, 200, 403),
    "utility_billing:run_new": (302, 403, 200, 200, 403, 403),
    "utility_billing:run": (302, 200, 200, 200, 200, 403),
    "utility_billing:run_register": (302, 200, 200, 200, 200, 403),
    "utility_billing:run_approve": (302, 403, 403, 405, 403, 403),
    "utility_billing:run_post": (302, 403, 403, 405, 403, 403),
    "utility_billing:run_release": (302, 403, 403, 405, 403, 403),
    "utility_billing:run_take_back": (302, 403, 403, 405, 403, 403),
    "utility_billing:run_bills": (302, 200, 200, 200, 200, 403),
    "utility_billing:bill": (302, 200, 200, 200, 200, 403),
    "utility_billing:bill_pdf": (302, 200, 200, 200, 200, 403),
    # utility reads: Representatives import, enter and review; the Auditor reads; the field crew
    # enters reads only by completing its orders
    "utility_billing:read_import": (302, 200, 200, 200, 200, 403),
    # a GET of the upload (a reload) goes to the upload page
    "utility_billing:read_import_new": (302, 302, 302, 302, 403, 403),
    "utility_billing:read_batch": (302, 200, 200, 200, 200, 403),
    "utility_billing:read_new": (302, 200, 200, 200, 403, 403),
    "utility_billing:read_exceptions": (302, 200, 200, 200, 200, 403),
    "utility_billing:read_estimate": (302, 405, 405, 405, 403, 403),
    "utility_billing:read_accept": (302, 405, 405, 405, 403, 403),
    "utility_billing:read_reread": (302, 405, 405, 405, 403, 403),
    "utility_billing:read_correct": (302, 200, 200, 200, 403, 403),
    # utility billing's reports: a senior clerk's, a supervisor's and the auditor's (as the aging is)
    "utility_billing:report_aging": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_aging_xlsx": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_consumption": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_consumption_xlsx": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_meters": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_meters_xlsx": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_orders": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_orders_xlsx": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_register": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_register_xlsx": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_shutoff": (302, 403, 200, 200, 200, 403),
    "utility_billing:report_shutoff_xlsx": (302, 403, 200, 200, 200, 403),
}


def _login(role):
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(User.objects.get(username=USERS[role]))
    return client


@pytest.mark.django_db
def test_every_url_answers_each_role_as_the_table_says(demo):  # noqa: F811
    urls = _urls(_client("supervisor"))
    clients = {role: _login(role) for role in ROLES}
    actual = {}
    for url in urls:
        name = resolve(url.split("?")[0]).view_name
        if name in actual:
            continue
        actual[name] = tuple(clients[role].get(url).status_code for role in ROLES)
    if os.environ.get("ACCESS_MATRIX_DUMP"):
        with open(os.environ["ACCESS_MATRIX_DUMP"], "w") as out:
            for name in sorted(actual):
                out.write(f"    {name!r}: {actual[name]!r},\n")
    missing = sorted(set(actual) - set(EXPECTED))
    assert not missing, f"URLs with no row in the access table: {missing}"
    wrong = {n: (actual[n], EXPECTED[n]) for n in actual if actual[n] != EXPECTED[n]}
    assert not wrong, "\n".join(f"{n}: got {got}, table says {want}" for n, (got, want) in wrong.items())
    auditor_posts = [
        name for name, row in EXPECTED.items() if row[ROLES.index("auditor")] == 405 and name != "logout"
    ]
    assert not auditor_posts, f"the auditor reads and changes nothing, yet may post to {auditor_posts}"
