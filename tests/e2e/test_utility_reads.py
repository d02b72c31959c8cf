"""Utility reads in Chromium (step 3 of issue 13's walk): a Representative imports the
handheld's read file, one read is held as high, and she resolves it from the exceptions list by
entering the correct read."""

import pytest

from tests.e2e.conftest import login
from tests.utility_billing import reads_setup
from tests.utility_billing.reads_setup import today
from utility_billing.models import Reading

utility, site = reads_setup.utility, reads_setup.site  # the fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_import_a_read_file_with_one_exception_and_resolve_it(
    page, live_server, clerk, site, tmp_path, job_worker
):
    meters = [site(f"WM{i}") for i in range(1, 4)]
    day = f"{today():%m/%d/%Y}"
    file = tmp_path / "route-r1.csv"
    file.write_text(
        "meter_serial,read_date,read_value,read_code,route\r\n"
        f"WM1,{day},{meters[0].last_value + 10},,R1\r\n"
        f"WM2,{day},{meters[1].last_value + 11},,R1\r\n"
        f"WM3,{day},{meters[2].last_value + 100},,R1\r\n"  # a digit misread: ten times the usual
    )
    login(page, live_server, "clerk1")
    page.goto(f"{live_server.url}/utility/reads/")
    page.set_input_files("input[type=file]", str(file))
    page.click("#read-import-submit")
    page.wait_for_url("**/jobs/*/")
    page.locator("#job-result").wait_for(timeout=60_000)
    assert "3 reads in (1 held for review)" in page.locator("#job-message").inner_text()
    page.click("#job-result")
    page.wait_for_url("**/utility/reads/import/*/")
    assert page.locator("#reads-accepted").inner_text() == "2"
    page.locator("#reads-held").get_by_role("link").click()

    page.wait_for_url("**/utility/reads/exceptions/")
    held = Reading.objects.get(meter__serial="WM3", read_on=today())
    row = page.locator(f"#exception-{held.pk}")
    assert "High usage" in row.inner_text() and "WM3" in row.inner_text()
    page.select_option("#filter-code", "high")
    page.click("#filter-submit")
    page.click(f"#correct-{held.pk}")
    page.wait_for_url(f"**/utility/reads/{held.pk}/correct/")
    page.fill("#id_value", str(meters[2].last_value + 10))
    page.fill("#id_note", "Misread the tens dial")
    page.click("#correct-submit")
    page.wait_for_url("**/utility/reads/exceptions/")
    assert "corrected to" in page.locator(".alert").first.inner_text()
    assert page.locator(f"#exception-{held.pk}").count() == 0
    held.refresh_from_db()
    assert held.status == "replaced"
    assert Reading.objects.get(replaces=held).value == meters[2].last_value + 10
