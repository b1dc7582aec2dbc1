"""`crmctl check` fails stores that are broken in their configuration (issue 11 item 7).

Users (supervisors, emails), regions (default owners), SLA targets and the time zone are
validated, each finding at the file and line it is in; a directory path checks the records in
it, a missing path is an error; whatever crmctl writes passes check.
"""

import re
import pytest

from conftest import new_request, snapshot


def edit(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(path, text):
    """The last line holding `text` (a duplicate is reported where it is written the second time)."""
    return [n for n, row in enumerate(path.read_text().splitlines(), 1) if text in row][-1]


CASES = {
    "supervisor that does not exist": (
        "users.yaml", "  region: kotka\n  supervisor: sanna.salo\n", "  region: kotka\n  supervisor: ghost\n",
        "supervisor: ghost", "supervisor", "ghost"),
    "empty email": ("users.yaml", "email: teemu.tekninen@example.fi", "email: ''", "email: ''", "email", "teemu"),
    "email with CRLF": ("users.yaml", "email: teemu.tekninen@example.fi",
                        'email: "teemu@example.fi\\r\\nBcc: x@example.fi"', "Bcc:", "email", "teemu"),
    "duplicate email": ("users.yaml", "email: teemu.tekninen@example.fi", "email: mette.murto@example.fi",
                        "email: mette.murto@example.fi", "duplicate-email", "mette.murto@example.fi"),
    "region owner that does not exist": ("regions.yaml", "sales: jussi.myyja", "sales: ghost", "sales: ghost",
                                         "region-owner", "ghost"),
    "region owner without the role": ("regions.yaml", "sales: jussi.myyja", "sales: teemu.tekninen",
                                      "sales: teemu.tekninen", "region-owner", "teemu.tekninen"),
    "SLA working days not a number": ("config/sla.yaml", "  - working_days: 3", "  - working_days: abc",
                                      "working_days: abc", "sla", "abc"),
    "SLA misspelt key": ("config/sla.yaml", "  - when: [\"severity = 3\"]", "  - wehn: [\"severity = 3\"]",
                         "wehn:", "sla", "wehn"),
    "SLA unknown type": ("config/sla.yaml", "lead:\n", "laed:\n", "laed:", "sla", "laed"),
    "unknown time zone": ("crmctl.yaml", "timezone: Europe/Helsinki", "timezone: Mars/Olympus", "timezone:",
                          "settings", "Mars/Olympus"),
}


@pytest.mark.parametrize("name", CASES)
def test_check_finds_configuration_faults_at_their_file_and_line(run, store, name):
    file, old, new, marker, code, word = CASES[name]
    path = store.root / file
    edit(path, old, new)
    before = snapshot(store.root)
    result = run("--lang", "en", "check")
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    expected = f"{store.display_path(path)}:{line_of(path, marker)}: error: {code}: "
    found = [line for line in result.stdout.splitlines() if line.startswith(expected)]
    assert found, result.stdout
    assert word in found[0]
    assert snapshot(store.root) == before


def test_inactive_region_owner_is_an_error(run, store):
    edit(store.root / "users.yaml", "  - technical\n  planned: true\n  active: true\n",
         "  - technical\n  planned: true\n  active: false\n")
    result = run("--lang", "en", "check")
    assert result.exit_code == 1
    assert "error: region-owner: " in result.stdout and "teemu.tekninen" in result.stdout


def test_directory_path_checks_the_records_in_it_and_a_missing_path_is_an_error(run, store):
    record_id = new_request(run)
    path = store.path_of(record_id)
    edit(path, "priority: normal\n", "priority: urgent\n")
    folder = path.parent
    result = run("--lang", "en", "check", str(folder))
    assert result.exit_code == 1, result.output
    assert f"{store.display_path(path)}:" in result.stdout
    missing = run("--lang", "en", "check", str(store.root / "service-requests" / "1999"))
    assert missing.exit_code == 1
    assert "1999" in missing.output


def test_skipping_a_later_stage_passes_check(run, store):
    result = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                 "title=Maakaasuliittymä", "value=12000")
    project_id = result.stdout.strip()
    assert run("project", "stage", "skip", project_id, "contract_returned", "reason=Ei sopimusta").exit_code == 0
    checked = run("--lang", "en", "check")
    assert "stage-order" not in checked.stdout
    assert checked.exit_code == 0, checked.stdout


def test_the_default_store_passes_check(run):
    assert run("check").exit_code == 0


def test_fault_in_a_type_file_is_reported_in_that_file_at_its_field(run, store):
    path = store.root / "config" / "types" / "service_request.yaml"
    edit(path, "    type: enum\n    values: priorities\n", "    type: enumm\n    values: priorities\n")
    result = run("--lang", "en", "check")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{store.display_path(path)}:{line_of(path, 'key: priority')}: error: config: ")


def test_project_type_without_a_key_is_a_configuration_error(run, store):
    path = store.root / "config" / "project_types.yaml"
    edit(path, "  - key: gas_connection\n", "  - kee: gas_connection\n")
    result = run("--lang", "en", "check")
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert result.stdout.startswith(f"{store.display_path(path)}:")


def test_a_bad_sla_target_is_a_configuration_error_in_views_not_an_internal_error(run, store):
    sla = store.root / "config" / "sla.yaml"
    sla.write_text(re.sub(r"working_days: \d+", "working_days: abc", sla.read_text(encoding="utf-8")), encoding="utf-8")
    assert "working_days: abc" in sla.read_text(encoding="utf-8")
    new = run("sr", "new", "title=x", "customer=CUST-GENERAL", "person_name=Matti M", "subject=meter_reading",
              "meter_reading=1", "priority=high")
    result = run("--lang", "en", "sr", "list", "--view", "overdue")
    assert result.exit_code == 1, (new.stderr, result.stderr)
    assert "internal error" not in result.stderr
    assert result.stderr.startswith("Error: config/sla.yaml: service_request: working_days: 'abc' is not a whole number")
