"""Import and export as a migration tool (issue 13): lossless round trips, updates by id or key, the billing
system's customer file, projects with their past, rejects fed back, hostile files."""

import json
import os
import shutil

import pytest

from conftest import new_request, snapshot
from crmctl.store.store import Store

LEAD = ("topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567", "source=phone", "region=kotka")
FORM = ("name=Puupää Oy", "kind=business", "business_id=1572860-0", "contact_person=Pekka Puupää",
        "phone=040 1234567", "billing_address.street=Gunnarintie 5", "billing_address.postal_code=48100",
        "billing_address.city=Kotka", "segment=potential", "region=kotka")
TYPES = ("customer", "request", "sr", "lead", "project")  # the order a whole store is moved in
SUMMARY = "created: {}, updated: {}, unchanged: {}, rejected: {}\n"


def created(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def other(tmp_path, peopled_store_template):
    """A second store with the same configuration and people, and no records of its own."""
    root = tmp_path / "other"
    shutil.copytree(peopled_store_template, root)
    return Store(root)


def every_type(run):
    """Records of every type, linked as the workflows link them: a request with its lead and project, the
    account request for the project's customer, a delegated request, a customer with a personal id."""
    created(run("customer", "new", "name=Maija Mehiläinen", "kind=person", "phone=040 7654321",
                "personal_id=131052-308T", "billing_address.city=Kotka"))
    request = new_request(run)
    delegated = new_request(run)
    assert run("sr", "delegate", delegated, "taija.halme", "note=soita").exit_code == 0
    lead = created(run("lead", "new", *LEAD, f"service_request={request}"))
    project = created(run("lead", "handle", lead, "--as", "jussi.myyja"))
    assert run("project", "stage", "complete", project, "--as", "jussi.myyja").exit_code == 0
    created(run("request", "new", *FORM, f"project={project}", "--as", "jussi.myyja"))


def export_all(run, root):
    return {kind: run("--reveal", "export", kind, "--format", "jsonl", root=root).stdout for kind in TYPES}


def import_file(run, tmp_path, kind, text, *options, root=None, name=None):
    source = tmp_path / (name or f"{kind}.jsonl")
    source.write_text(text, encoding="utf-8")
    extra = {"root": root} if root is not None else {}
    return run("--lang", "en", "import", kind, str(source), *options, **extra)


def test_a_whole_store_moves_to_another_with_ids_history_and_assignments(run, store, other, tmp_path):
    every_type(run)
    before = export_all(run, store.root)
    for kind in TYPES:
        result = import_file(run, tmp_path, kind, before[kind], root=other.root)
        assert result.exit_code == 0, result.stderr
        general = int(kind == "customer")  # CUST-GENERAL, which every store has, is the same record: unchanged
        assert result.stderr.endswith(SUMMARY.format(before[kind].count("\n") - general, 0, general, 0))
    after = export_all(run, other.root)
    for kind in TYPES:
        old = [json.loads(line) for line in before[kind].splitlines()]
        new = [json.loads(line) for line in after[kind].splitlines()]
        assert [r["id"] for r in new] == [r["id"] for r in old]
        for was, now in zip(old, new):
            if now["id"] == "CUST-GENERAL":
                assert now == was
                continue
            # the same record, its past and then the import itself
            assert now["history"][:-1] == was["history"]
            assert now["history"][-1] == {"at": "2011-01-25T10:00:00+02:00", "by": "mette.murto", "event": "imported"}
            assert {k: v for k, v in now.items() if k != "history"} == {k: v for k, v in was.items() if k != "history"}
    assert run("check", root=other.root).exit_code == 0
    # and once more: every row is unchanged, nothing is written
    files = snapshot(other.root)
    for kind in TYPES:
        result = import_file(run, tmp_path, kind, before[kind], root=other.root)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == SUMMARY.format(0, 0, before[kind].count("\n"), 0)
        assert result.stdout == ""
    assert snapshot(other.root) == files


def test_reimport_of_an_export_into_the_same_store_is_unchanged(run, store, tmp_path):
    every_type(run)
    exported = run("--reveal", "export", "sr", "--format", "json").stdout
    files = snapshot(store.root)
    result = import_file(run, tmp_path, "sr", exported, name="sr.json")
    assert (result.exit_code, result.stderr) == (0, SUMMARY.format(0, 0, 2, 0))
    assert snapshot(store.root) == files


def test_reimport_before_the_records_it_points_at_arrive_is_unchanged(run, store, other, tmp_path):
    """Requests moved before their leads point at records not yet there: the first import creates them (and says
    so); importing the same file again, before the leads, finds every row unchanged, as it would after them."""
    every_type(run)
    before = export_all(run, store.root)
    import_file(run, tmp_path, "customer", before["customer"], root=other.root)
    first = import_file(run, tmp_path, "sr", before["sr"], root=other.root)
    assert first.exit_code == 0, first.stderr
    files = snapshot(other.root)
    again = import_file(run, tmp_path, "sr", before["sr"], root=other.root)
    assert (again.exit_code, again.stderr.splitlines()[-1]) == (0, SUMMARY.format(0, 0, 2, 0).strip())
    assert snapshot(other.root) == files


def test_a_changed_row_for_an_existing_id_is_rejected_unless_update(run, store, tmp_path):
    sr = new_request(run)
    row = json.loads(run("export", "sr", "--format", "jsonl").stdout)
    row["title"] = "Laskussa kaksi virhettä"
    row["owner"] = "taija.halme"
    text = json.dumps(row, ensure_ascii=False) + "\n"
    rejects = tmp_path / "rejects.jsonl"
    result = import_file(run, tmp_path, "sr", text, "--rejects", str(rejects))
    assert (result.exit_code, result.stderr) == (1, SUMMARY.format(0, 0, 0, 1))
    [reject] = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert reject["_reason"] == (f"{sr} exists and the row changes title, owner; "
                                 "updating existing records was not asked for")
    assert store.get(sr)["title"] == "Laskussa virhe"

    result = import_file(run, tmp_path, "sr", text, "--update")
    assert (result.exit_code, result.stderr, result.stdout) == (0, SUMMARY.format(0, 1, 0, 0), "")
    record = store.get(sr)
    assert record["title"] == "Laskussa kaksi virhettä"
    assert record["owner"] == "taija.halme"  # an owner change is a delegation: event, log line, assignment
    assert record["history"][-1]["event"] == "delegated"
    assert record["history"][-1]["changes"]["title"] == ["Laskussa virhe", "Laskussa kaksi virhettä"]
    assert "Taija Halme" in record["actions"]
    assert [a["user"] for a in record["assignments"] if not a.get("acknowledged")] == ["taija.halme"]
    result = import_file(run, tmp_path, "sr", text, "--update")
    assert (result.exit_code, result.stderr) == (0, SUMMARY.format(0, 0, 1, 0))


BILLING = ("\ufeffcustomer_number;name;kind;business_id;billing_address.street;billing_address.city\r\n"
           "100001;Kaasu Oy;Yritysasiakas;0112038-9;Satamakatu 1;Kotka\r\n"
           "100002;Matti Meikäläinen;Henkilöasiakas;;Kirkkokatu 2;Hamina\r\n")


def billing(run, tmp_path, text, *options):
    source = tmp_path / "asiakkaat.csv"
    source.write_bytes(text.encode("utf-8"))
    return run("--lang", "en", "import", "customer", str(source), "--key", "customer_number", *options)


def test_the_billing_systems_nightly_customer_file_with_bom_and_semicolons(run, store, tmp_path):
    first = billing(run, tmp_path, BILLING)
    assert (first.exit_code, first.stderr) == (0, SUMMARY.format(2, 0, 0, 0))
    kaasu, matti = first.stdout.split()
    assert store.get(kaasu)["kind"] == "business"  # a Finnish label, stored as its key
    assert store.get(matti)["billing_address"] == {"street": "Kirkkokatu 2", "city": "Hamina"}
    again = billing(run, tmp_path, BILLING)
    assert (again.exit_code, again.stderr, again.stdout) == (0, SUMMARY.format(0, 0, 2, 0), "")
    moved = billing(run, tmp_path, BILLING.replace("Satamakatu 1;Kotka", "Satamakatu 9;Kotka")
                    + "100003;Uusi Oy;business;1572860-0;;\r\n")
    assert (moved.exit_code, moved.stderr) == (0, SUMMARY.format(1, 1, 1, 0))
    assert store.get(kaasu)["billing_address"]["street"] == "Satamakatu 9"
    assert store.get(kaasu)["history"][-1]["changes"] == {
        "billing_address": [{"street": "Satamakatu 1", "city": "Kotka"}, {"street": "Satamakatu 9", "city": "Kotka"}]}


def test_a_key_twice_in_the_file_or_in_the_store_is_a_clear_rejection(run, store, tmp_path):
    twice = billing(run, tmp_path, BILLING + "100001;Kaasu Oy;business;0112038-9;;Kotka\r\n")
    assert twice.exit_code == 1
    assert "asiakkaat.csv:4: rejected: customer_number 100001: also on line 2 of the file" in twice.stderr
    # two records holding one number (written by hand, or by another tool): which one is meant is not guessed
    matti = run("-q", "customer", "list", "customer_number=100002").stdout.strip()
    path = store.path_of(matti)
    copy_id = matti[:-1] + ("X" if matti[-1] != "X" else "Y")
    text = path.read_text(encoding="utf-8").replace(matti, copy_id)
    path.with_name(f"{copy_id}.yaml").write_text(text, encoding="utf-8")
    result = billing(run, tmp_path, BILLING)
    assert result.exit_code == 1
    assert "asiakkaat.csv:3: rejected: customer_number 100002: not unique in the store" in result.stderr
    assert result.stderr.endswith(SUMMARY.format(0, 0, 1, 1))


def test_an_unknown_key_field_is_a_usage_error(run, store, tmp_path):
    result = billing(run, tmp_path, BILLING.replace("customer_number", "asiakasnro"))
    assert result.exit_code == 1  # the rows do not have the key
    source = tmp_path / "x.csv"
    source.write_text("name\nX\n", encoding="utf-8")
    result = run("--lang", "en", "import", "customer", str(source), "--key", "nonesuch")
    assert result.exit_code == 2
    assert "nonesuch: not a field of Customer that can match rows to records" in result.stderr


ROWS = ("title,customer,person_name,subject,meter_reading\n"
        "Lukema,CUST-GENERAL,Ville Virta,Mittarilukema,12\n"
        "Huono,CUST-GENERAL,Ville Virta,meter_reading,kaksitoista\n"
        "Lasku,CUST-GENERAL,Ville Virta,billing,\n")


def test_rejects_fixed_and_fed_back_import_as_they_are(run, store, tmp_path):
    rejects = tmp_path / "rejects.csv"
    result = import_file(run, tmp_path, "sr", ROWS, "--rejects", str(rejects), name="in.csv")
    assert (result.exit_code, result.stderr) == (1, SUMMARY.format(2, 0, 0, 1))
    text = rejects.read_text(encoding="utf-8")
    assert text == ("title,customer,person_name,subject,meter_reading,_line,_reason\n"
                    "Huono,CUST-GENERAL,Ville Virta,meter_reading,kaksitoista,3,"
                    "meter_reading (Meter reading): must be a whole number\n")
    rejects.write_text(text.replace("kaksitoista", "12"), encoding="utf-8")
    again = run("--lang", "en", "import", "sr", str(rejects))
    assert (again.exit_code, again.stderr) == (0, SUMMARY.format(1, 0, 0, 0))
    assert store.get(again.stdout.strip())["meter_reading"] == 12


def test_a_jsonl_line_that_is_not_a_json_object_is_kept_whole(run, store, tmp_path):
    lines = ('{"name": "Virta Oy", "kind": "business", "business_id": "0112038-9"}\n'
             '{"name": "Virta Oy", "kind": \n'
             '["a list"]\n')
    rejects = tmp_path / "rejects.jsonl"
    result = import_file(run, tmp_path, "customer", lines, "--rejects", str(rejects))
    assert (result.exit_code, result.stderr) == (1, SUMMARY.format(1, 0, 0, 2))
    first, second = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert first == {"_line": 2, "_reason": "not JSON: Expecting value", "_raw": '{"name": "Virta Oy", "kind": '}
    assert second == {"_line": 3, "_reason": "not a JSON object", "_raw": '["a list"]'}


def test_csv_formula_values_survive_export_and_import_into_another_store(run, store, other, tmp_path):
    values = ['=HYPERLINK("http://evil","x")', "+358 40 123", "-5 astetta", "@kaikki", "'=jo lainattu"]
    ids = [new_request(run, f"description={value}") for value in values]
    exported = run("export", "sr", "--format", "csv").stdout
    assert "'=HYPERLINK" in exported
    result = import_file(run, tmp_path, "sr", exported, root=other.root, name="sr.csv")
    assert result.exit_code == 0, result.stderr
    assert [Store(other.root).get(i)["description"] for i in ids] == values


PROJECTS = ("title;type;customer;region;created;value;stages.needs_assessment.completed;stages.offer.completed;"
            "stages.offer.owner;status;closed;lost_reason\n"
            "Gunnarintie 5;Kaasuliittymän myynti;CUST-GENERAL;kotka;2010-11-15;1200;2010-11-30;2010-12-20;"
            "kaisa.kauppinen;;;\n"
            "Satamatie 2;gas_connection;CUST-GENERAL;kotka;2010-12-01;800;2010-12-10;;;Hävitty;2011-01-10;"
            "Kallis\n"
            "Myllytie 1;gas_connection;CUST-GENERAL;kotka;2011-01-03;500;2010-12-20;;;;;\n")


def test_projects_migrated_with_their_past_are_counted_from_their_first_month(run, store, tmp_path):
    result = import_file(run, tmp_path, "project", PROJECTS, name="projektit.csv")
    assert result.exit_code == 1
    assert ("projektit.csv:4: rejected: stages.needs_assessment.completed: 2010-12-20 is before the stage "
            "started (2011-01-03)") in result.stderr
    assert result.stderr.endswith(SUMMARY.format(2, 0, 0, 1))
    gunnar, satama = result.stdout.split()
    project = store.get(gunnar)
    assert [(s["key"], s["status"], s.get("started"), s.get("completed"), s.get("owner"))
            for s in project["stages"][:3]] == [
        ("needs_assessment", "done", *map(_day, ("2010-11-15", "2010-11-30")), "jussi.myyja"),
        ("offer", "done", *map(_day, ("2010-11-30", "2010-12-20")), "kaisa.kauppinen"),
        ("contract_sent", "not_started", _day("2010-12-20"), None, "mette.murto")]
    assert str(project["stages"][2]["due"]) == "2010-12-22"  # two working days, as the guideline says
    lost = store.get(satama)
    assert (lost["status"], str(lost["closed"]), lost["lost_reason"]) == ("lost", "2011-01-10", "Kallis")
    report = json.loads(run("--format", "json", "report", "monthly", "--from", "2010-11", "--to", "2011-01").stdout)
    counts = {m["month"]: (m["open"], m["new"], m["progressed"], m["lost"]) for m in report["months"]}
    assert counts == {"2010-11": (1, 1, 1, 0), "2010-12": (2, 1, 2, 0), "2011-01": (1, 0, 0, 1)}
    assert run("check").exit_code == 0


def _day(text):
    from datetime import date

    return date.fromisoformat(text)


def test_dry_run_reports_the_same_outcomes_and_writes_nothing(run, store, tmp_path):
    sr = new_request(run)
    row = json.loads(run("export", "sr", "--format", "jsonl").stdout)
    changed = dict(row, title="Toinen otsikko")
    new = {k: row[k] for k in ("title", "customer", "person_name", "subject")}
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (row, changed, new, {"title": 5}))
    files = snapshot(store.root)
    dry = import_file(run, tmp_path, "sr", text, "--update", "--dry-run")
    assert (dry.exit_code, dry.stdout) == (1, "")
    assert dry.stderr.endswith("would create: 1, would update: 1, unchanged: 1, rejected: 1\n")
    assert snapshot(store.root) == files
    real = import_file(run, tmp_path, "sr", text, "--update")
    assert real.stderr.endswith(SUMMARY.format(1, 1, 1, 1))
    assert store.get(sr)["title"] == "Toinen otsikko"


# -- hostile files ------------------------------------------------------------------------------


def test_a_row_nested_100000_levels_deep_is_rejected_and_the_others_written(run, store, tmp_path):
    good = '{"name": "Virta Oy", "kind": "business", "business_id": "0112038-9"}\n'
    deep = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    deep_cell = '{"name": "X Oy", "kind": "business", "sites": "' + "[" * 100_000 + '"}\n'
    result = import_file(run, tmp_path, "customer", good + deep + good.replace("Virta", "Vesi").replace(
        "0112038-9", "1572860-0") + deep_cell)
    assert result.exit_code == 1
    assert len(result.stdout.split()) == 2
    assert "customer.jsonl:2: rejected: nested too deeply" in result.stderr
    assert "customer.jsonl:4: rejected:" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_huge_values_are_rejected_per_row(run, store, tmp_path):
    huge = "x" * (3 * 1024 * 1024)
    text = ("title,customer,person_name,subject\n"
            f"{huge},CUST-GENERAL,Ville,billing\n"
            "Lasku,CUST-GENERAL,Ville,billing\n"
            f"Pitkä,CUST-GENERAL,{'y' * 600},billing\n")
    result = import_file(run, tmp_path, "sr", text, name="big.csv")
    assert result.exit_code == 1
    assert len(result.stdout.split()) == 1
    assert "big.csv:2: rejected: line too long" in result.stderr
    assert "big.csv:4: rejected: person_name (Person name): too long (at most 500 characters)" in result.stderr
    assert result.stderr.endswith(SUMMARY.format(1, 0, 0, 2))


def test_a_csv_that_is_not_utf8_is_refused_before_anything_is_written(run, store, tmp_path):
    source = tmp_path / "latin1.csv"
    source.write_bytes("title,customer,person_name,subject\nLasku,CUST-GENERAL,Väinö,billing\n"
                       "Lasku,CUST-GENERAL,Väinö,billing\n".encode("utf-8")
                       + "Lasku,CUST-GENERAL,Jääskeläinen,billing\n".encode("latin-1"))
    files = snapshot(store.root)
    result = run("--lang", "en", "import", "sr", str(source))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {source}:4: not UTF-8 text; nothing was imported (save the file as UTF-8)\n")
    assert snapshot(store.root) == files


def test_a_jsonl_line_that_is_not_utf8_is_rejected_alone(run, store, tmp_path):
    source = tmp_path / "c.jsonl"
    source.write_bytes('{"name": "Väinö", "kind": "person", "phone": "040 1234567"}\n'.encode("latin-1")
                       + '{"name": "Virta", "kind": "person", "phone": "040 1234567"}\n'.encode("utf-8"))
    result = run("--lang", "en", "import", "customer", str(source))
    assert result.exit_code == 1
    assert len(result.stdout.split()) == 1
    assert "c.jsonl:1: rejected: not UTF-8 text (byte 11 of the line)" in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak memory read from Linux's /proc")
def test_a_100_mb_file_is_streamed_with_bounded_memory(store, tmp_path):
    import subprocess
    import sys

    source = tmp_path / "big.jsonl"
    row = '{"name": "Virta Oy", "kind": "person", "phone": "040 1234567"}\n'
    with open(source, "w", encoding="utf-8") as handle:
        handle.write(row)
        handle.write('{"name": "')
        for _ in range(100):
            handle.write("x" * (1024 * 1024))
        handle.write('"}\n')
        handle.write(row.replace("Virta", "Vesi"))
    # the child reports its own peak memory as it exits
    # (VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking test process)
    probe = ("import atexit, re, sys; atexit.register(lambda: sys.stderr.write('maxrss=' + re.search("
             "r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1) + '\\n')); "
             "sys.argv[0] = 'crmctl'; from crmctl.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", probe, "--root", str(store.root), "--lang", "en", "import",
                             "customer", str(source)], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert len(result.stdout.split()) == 2
    assert "big.jsonl:2: rejected: line too long" in result.stderr
    peak_mb = int(result.stderr.rsplit("maxrss=", 1)[1]) / 1024
    assert peak_mb < 90, peak_mb  # the 100 MB line was never held whole


def test_a_progress_line_appears_on_a_terminal_once_an_import_takes_a_moment(monkeypatch, capsys):
    import io

    from crmctl.cli import transfer

    moments = iter([0.0, 0.5, 1.5, 1.6, 2.0])
    monkeypatch.setattr(transfer.time, "monotonic", lambda: next(moments))
    handle = io.BytesIO(b"x" * 200)
    handle.seek(100)
    progress = transfer.Progress(handle, 200, "en")
    for _ in range(4):
        progress.row()  # at 0.5 s nothing yet; at 1.5 s the line; at 1.6 s too soon to redraw; at 2.0 s again
    progress.done()
    assert capsys.readouterr().err == "\r50 % (2 rows)\r50 % (4 rows)\n"


def test_a_past_naming_people_the_store_does_not_know_is_rejected(run, store, tmp_path):
    row = {"id": "SR-20110120-AAAAA", "title": "Vanha", "customer": "CUST-GENERAL", "person_name": "Ville",
           "subject": "billing",
           "history": [{"at": "2011-01-20T09:00:00+02:00", "by": "olli.outo", "event": "created"}]}
    result = import_file(run, tmp_path, "sr", json.dumps(row) + "\n")
    assert result.exit_code == 1
    assert "sr.jsonl:1: rejected: history[0]: unknown user 'olli.outo'" in result.stderr
    row["history"][0]["by"] = "taija.halme"
    result = import_file(run, tmp_path, "sr", json.dumps(row) + "\n")
    assert (result.exit_code, result.stdout) == (0, "SR-20110120-AAAAA\n")
    assert [e["event"] for e in store.get("SR-20110120-AAAAA")["history"]] == ["created", "imported"]
    assert run("check").exit_code == 0


def test_rejects_of_a_finnish_excel_file_keep_its_bom_and_semicolons(run, store, tmp_path):
    rejects = tmp_path / "hylatyt.csv"
    result = billing(run, tmp_path, BILLING.replace("Henkilöasiakas", "Asiakas"), "--rejects", str(rejects))
    assert (result.exit_code, result.stderr) == (1, SUMMARY.format(1, 0, 0, 1))
    raw = rejects.read_bytes()
    assert raw.startswith("\ufeffcustomer_number;name;kind;business_id;".encode("utf-8"))
    assert raw.decode("utf-8-sig").splitlines()[1] == (
        "100002;Matti Meikäläinen;Asiakas;;Kirkkokatu 2;Hamina;3;\"kind (Customer kind): 'Asiakas' is not an allowed "
        "value; allowed: person, business\"")
    rejects.write_bytes(raw.replace("Asiakas;".encode("utf-8"), "Henkilöasiakas;".encode("utf-8")))
    again = run("--lang", "en", "import", "customer", str(rejects), "--key", "customer_number")
    assert (again.exit_code, again.stderr) == (0, SUMMARY.format(1, 0, 0, 0))


def test_stage_start_dates_and_owners_given_in_advance(run, store, tmp_path):
    text = ("title;type;customer;region;created;stages.needs_assessment.completed;stages.offer.started;"
            "stages.offer.completed;stages.contract_sent.started;stages.contract_returned.owner;status;closed\n"
            "A;gas_connection;CUST-GENERAL;kotka;2010-11-15;2010-11-30;2010-12-01;2010-12-20;2010-12-27;"
            "taija.halme;;\n"
            "B;gas_connection;CUST-GENERAL;kotka;2010-11-15;2010-11-30;2010-11-29;;;;;\n"
            "C;gas_connection;CUST-GENERAL;kotka;2010-11-15;2010-11-30;;;;;;2010-12-01\n")
    result = import_file(run, tmp_path, "project", text, name="p.csv")
    assert result.exit_code == 1
    assert ("p.csv:3: rejected: stages.offer.started: 2010-11-29 is before the stage could start (2010-11-30: the "
            "project was created or the stage before it completed)") in result.stderr
    assert "p.csv:4: rejected: closed: an open project has no closing date" in result.stderr
    stages = store.get(result.stdout.strip())["stages"]
    assert [(s["key"], str(s.get("started")), str(s.get("due")), s.get("owner")) for s in stages[1:4]] == [
        ("offer", "2010-12-01", "2010-12-16", "jussi.myyja"),
        ("contract_sent", "2010-12-27", "2010-12-29", "mette.murto"),  # Christmas is not a working day
        ("contract_returned", "None", "None", "taija.halme")]


def test_a_row_whose_history_is_not_the_records_own_is_not_unchanged(run, store, tmp_path):
    sr = new_request(run)
    row = json.loads(run("export", "sr", "--format", "jsonl").stdout)
    row["history"][0]["by"] = "taija.halme"
    text = json.dumps(row, ensure_ascii=False) + "\n"
    result = import_file(run, tmp_path, "sr", text)
    assert result.exit_code == 1
    assert f"rejected: {sr} exists and the row changes history;" in result.stderr
    result = import_file(run, tmp_path, "sr", text, "--update")
    assert f"rejected: {sr}: the row's history is not the record's own" in result.stderr


def test_a_rejects_file_that_cannot_be_written_stops_the_import_before_any_row(run, store, tmp_path):
    files = snapshot(store.root)
    result = import_file(run, tmp_path, "sr", ROWS, "--rejects", str(tmp_path / "no" / "such" / "r.csv"), name="in.csv")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {tmp_path / 'no' / 'such' / 'r.csv'}: No such file or directory\n"
    assert snapshot(store.root) == files


@pytest.mark.slow
def test_an_import_on_a_terminal_shows_its_progress_on_stderr(store, tmp_path):
    import pty
    import subprocess
    import sys

    source = tmp_path / "many.csv"
    with open(source, "w", encoding="utf-8") as handle:
        handle.write("title,customer,person_name,subject,phone\n")
        for number in range(4000):
            handle.write(f"Pyyntö {number},CUST-GENERAL,Asiakas {number},billing,040 {1000000 + number}\n")
    leader, follower = pty.openpty()
    ids = open(tmp_path / "ids.txt", "wb")  # a file, not a pipe: nobody reads a pipe while the terminal is read
    process = subprocess.Popen([sys.executable, "-m", "crmctl", "--root", str(store.root), "--lang", "en", "import",
                                "sr", str(source)], stdout=ids, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    process.wait()
    ids.close()
    os.close(leader)
    assert len((tmp_path / "ids.txt").read_text().split()) == 4000
    text = shown.decode("utf-8")
    assert "\r" in text and " rows)" in text  # e.g. "\r37 % (1200 rows)"
    assert text.rstrip().endswith("created: 4000, updated: 0, unchanged: 0, rejected: 0")
