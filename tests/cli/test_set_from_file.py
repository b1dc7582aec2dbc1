"""`set --from-file F|-` (issue 15 item 4): fields from a YAML/JSON mapping, for values too long or too many
lines for an argument (Linux caps one argument at 128 KiB); every record type's `set` takes it, like `new`."""

import json

import pytest

from conftest import new_request, snapshot

LONG = "\n".join(f"Rivi {n}: asiakas kertoi lisää." for n in range(600))  # many lines, as long as the field allows


def test_set_reads_a_yaml_mapping_from_stdin_multi_line_and_nested(run, store):
    record_id = new_request(run)
    document = "description: |\n  Asiakas soitti.\n  Kysyi laskusta.\nsite:\n  address: Gunnarintie 5\npriority: high\n"
    result = run("sr", "set", record_id, "--from-file", "-", input=document)
    assert result.exit_code == 0, result.stderr
    record = store.get(record_id)
    assert record["description"] == "Asiakas soitti.\nKysyi laskusta.\n"
    assert (record["site"]["address"], record["priority"]) == ("Gunnarintie 5", "high")


def test_set_reads_a_long_value_from_a_json_file_and_arguments_win(run, store, tmp_path):
    record_id = new_request(run)
    source = tmp_path / "fields.json"
    source.write_text(json.dumps({"description": LONG, "priority": "high"}), encoding="utf-8")
    result = run("sr", "set", record_id, "--from-file", str(source), "priority=low")
    assert result.exit_code == 0, result.stderr
    record = store.get(record_id)
    assert (record["description"], record["priority"]) == (LONG, "low")


@pytest.mark.parametrize("group, field, made", [
    ("customer", "notes", ("customer", "new", "name=Maija Meikäläinen", "kind=person", "phone=040 7654321")),
    ("lead", "description", ("lead", "new", "topic=Kaasuliittymä", "person_name=Pekka", "phone=040 1234567",
                             "source=phone", "region=kotka")),
    ("project", "description", ("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                                "title=Liittymä", "value=12000")),
])
def test_every_types_set_takes_from_file(run, store, group, field, made):
    record_id = run(*made).stdout.strip()
    assert record_id, made
    result = run(group, "set", record_id, "--from-file", "-", input=f"{field}: |\n  Eka rivi.\n  Toka rivi.\n")
    assert result.exit_code == 0, result.stderr
    assert store.get(record_id)[field] == "Eka rivi.\nToka rivi.\n"


@pytest.mark.parametrize("document, code, error", [
    ("- a list\n", 1, "Error: <stdin>: expected a mapping of fields"),
    ("priority: nosuch\n", 1, "Error: the record breaks these rules:"),
])
def test_a_bad_file_changes_nothing(run, store, document, code, error):
    record_id = new_request(run)
    before = snapshot(store.root)
    result = run("--lang", "en", "sr", "set", record_id, "--from-file", "-", input=document)
    assert (result.exit_code, result.stdout) == (code, "")
    assert result.stderr.startswith(error), result.stderr
    assert snapshot(store.root) == before


def test_set_without_fields_or_file_is_a_usage_error(run, store):
    record_id = new_request(run)
    result = run("--lang", "en", "sr", "set", record_id)
    assert (result.exit_code, result.stderr) == (2, "Error: give the fields to change: KEY=VALUE or --from-file FILE\n")
