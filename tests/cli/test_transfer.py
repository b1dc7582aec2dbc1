"""Import and export: same rules as `new`, nothing silently dropped."""

import json

from conftest import snapshot

ROWS = (
    "title,customer,person_name,subject,meter_reading,site.postal_code\n"
    "Lukema,CUST-GENERAL,Ville Virta,Mittarilukema,12,48100\n"
    "Huono,CUST-GENERAL,,meter_reading,x,\n"
)


def test_import_writes_valid_rows_and_rejects_the_rest(run, store, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(ROWS, encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    result = run("--lang", "en", "import", "sr", str(source), "--rejects", str(rejects))
    assert result.exit_code == 1
    [new_id] = result.stdout.split()
    assert result.stderr == "created: 1, updated: 0, unchanged: 0, rejected: 1\n"
    record = store.get(new_id)
    assert record["subject"] == "meter_reading"
    assert record["meter_reading"] == 12
    assert record["site"] == {"postal_code": "48100"}
    assert rejects.read_text(encoding="utf-8") == (
        "title,customer,person_name,subject,meter_reading,site.postal_code,_line,_reason\n"
        "Huono,CUST-GENERAL,,meter_reading,x,,3,meter_reading (Meter reading): must be a whole number; "
        "person_name (Person name): required when customer = CUST-GENERAL\n"
    )


def test_import_dry_run_writes_nothing(run, store, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(ROWS, encoding="utf-8")
    before = snapshot(store.root)
    result = run("--lang", "en", "import", "sr", str(source), "--dry-run")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.endswith("would create: 1, would update: 0, unchanged: 0, rejected: 1\n")
    assert snapshot(store.root) == before


def test_import_jsonl_from_stdin_reports_unparsable_lines(run, store):
    lines = ('{"name": "Virta Oy", "kind": "business", "business_id": "0112038-9"}\n'
             "not json\n")
    result = run("--lang", "en", "import", "customer", "-", input=lines)
    assert result.exit_code == 1
    assert len(result.stdout.split()) == 1
    assert "<stdin>:2: rejected: not JSON" in result.stderr


def test_export_round_trips_through_import(run, store, tmp_path):
    new = run("customer", "new", "name=Kaasu Oy", "kind=business", "business_id=0112038-9",
              "billing_address.city=Kotka", "personal_id=131052-308T")
    assert new.exit_code == 0, new.stderr
    exported = run("export", "customer", "kind=business", "--format", "csv")
    assert exported.exit_code == 0
    header, row = exported.stdout.splitlines()
    assert header.startswith("id,name,kind,customer_number,business_id,personal_id,")
    assert "131052-****" in row and "308T" not in row  # confidential unless --reveal
    as_json = json.loads(run("export", "customer", "kind=business", "--format", "json", "--reveal").stdout)
    assert as_json[0]["personal_id"] == "131052-308T"
    assert as_json[0]["billing_address"] == {"city": "Kotka"}
