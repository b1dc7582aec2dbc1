"""Every --format of every command that prints data is read back by the matching parser (issue 15 item 2).

json -> json.loads (lists as arrays, no percent strings), yaml -> yaml.safe_load, csv -> csv.reader (one table:
every row as wide as the header), md -> a Markdown table's shape (header, separator, rows of the same width),
jsonl -> one JSON object a line, svg -> XML, table -> text. The formats tried are the ones the command declares.
"""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import click
import pytest
import yaml

from conftest import copy_of_store, new_request, store_built_once
from crmctl.cli import cli

PROJECT = ("type=gas_connection", "customer=CUST-GENERAL", "region=kotka", "title=Maakaasuliittymä Gunnarintie 5",
           "value=12000")

# Command lines that print data (the table-only commands print ids or messages); {sr}/{project} are filled in.
# The second item says what json gives: "list" (an array), "object", or None (not checked).
COMMANDS = [
    ("sr show {sr}", "object"), ("sr list", "list"), ("sr history {sr}", "list"), ("sr views", "list"),
    ("customer show CUST-GENERAL", "object"), ("customer list", "list"), ("lead list", "list"),
    ("request list", "list"), ("project list", "list"), ("project show {project}", "object"),
    ("project history {project}", "list"), ("project views", "list"), ("project stage list {project}", "list"),
    ("user list", "list"), ("region list", "list"), ("inbox --user taija.halme", "list"),
    ("escalate --dry-run", "list"), ("check", "list"), ("export sr", "list"),
    ("report monthly --from 2011-01 --to 2011-01", "object"), ("report calls --from 2011-01 --to 2011-01", "object"),
    ("report leads --from 2011-01 --to 2011-01", "object"), ("report adoption --from 2011-01 --to 2011-01", "object"),
    ("report quality", "object"),
]
LEAD = ("topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567", "source=phone", "region=kotka")
FORM = ("name=Puupää Oy", "kind=business", "business_id=1572860-0", "contact_person=Pekka Puupää",
        "phone=040 1234567", "billing_address.street=Gunnarintie 5", "billing_address.postal_code=48100",
        "billing_address.city=Kotka", "segment=potential", "region=kotka")
PERCENT = re.compile(r"^\s*-?\d+(\.\d+)?\s*%$")


def declared_formats(words):
    with click.Context(cli, info_name="crmctl") as ctx:
        command = cli
        for word in words:
            if not isinstance(command, click.Group) or word.startswith("-") or "{" in word or "-" in word[:1]:
                break
            found = command.get_command(ctx, word)
            if found is None:
                break
            command = found
        return command.formats


def no_percent_strings(data):
    if isinstance(data, dict):
        return all(no_percent_strings(v) for v in data.values())
    if isinstance(data, list):
        return all(no_percent_strings(v) for v in data)
    return not (isinstance(data, str) and PERCENT.match(data))


def markdown_rows(text):
    """The cell counts of each Markdown table in `text` (escaped `\\|` is inside a cell)."""
    tables, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            current.append(len(re.split(r"(?<!\\)\|", line.strip())) - 2)
        elif current:
            tables.append(current)
            current = []
    return tables


def parsed(fmt, text, shape):
    if fmt == "json":
        data = json.loads(text)
        if shape == "list":
            assert isinstance(data, list)
        elif shape == "object":
            assert isinstance(data, dict)
        assert no_percent_strings(data)
    elif fmt == "jsonl":
        for line in text.splitlines():
            assert isinstance(json.loads(line), dict)
    elif fmt == "yaml":
        data = yaml.safe_load(text)
        if shape == "list":
            assert isinstance(data, list) or data is None
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows and "" not in [",".join(r) for r in rows], text  # one table: no blank line between tables
        assert {len(r) for r in rows} == {len(rows[0])}, text
    elif fmt == "md":
        tables = markdown_rows(text)
        assert tables, text
        for widths in tables:
            assert len(widths) >= 2 and len(set(widths)) == 1, (widths, text)
    elif fmt == "svg":
        assert ET.fromstring(text).tag == "{http://www.w3.org/2000/svg}svg"
    else:
        assert text.strip(), "a table with nothing in it"


def _records(run):
    made = {"sr": new_request(run), "project": run("project", "new", *PROJECT).stdout.strip()}
    assert run("sr", "delegate", made["sr"], "taija.halme").exit_code == 0
    assert run("lead", "new", *LEAD).exit_code == 0
    assert run("request", "new", *FORM, "--as", "jussi.myyja").exit_code == 0
    return made


@pytest.fixture(scope="module")
def made(tmp_path_factory, peopled_store_template):
    """A store with a delegated request, a project, a lead and a form: built once, copied for each test."""
    return store_built_once(tmp_path_factory, peopled_store_template, "formats", _records)


@pytest.fixture
def store(tmp_path, made):
    return copy_of_store(made[0], tmp_path)


@pytest.fixture
def ids(made):
    return made[1]


@pytest.mark.parametrize("line, shape", COMMANDS, ids=[c[0].split(" {")[0] for c in COMMANDS])
def test_every_declared_format_parses(run, ids, line, shape):
    words = [w.format(**ids) for w in line.split()]
    produced = declared_formats(words)
    assert produced
    nothing = None
    for fmt in sorted(produced, key=lambda f: f != "json"):  # json first: it says whether the list is empty
        result = run("--lang", "en", *words, "--format", fmt)
        assert result.exit_code in (0, 1) and "Error" not in result.stderr, (line, fmt, result.stderr)
        if fmt == "json":
            nothing = json.loads(result.stdout) == []
        if nothing and fmt in ("table", "csv", "md") and result.stdout == "":
            continue  # an empty list prints no table (escalate with nothing overdue)
        parsed(fmt, result.stdout, shape)


@pytest.mark.parametrize("line", ["project stage list {project}", "sr list", "user list", "region list", "sr views"])
def test_quiet_lists_print_one_key_a_line(run, ids, line):
    result = run(*[w.format(**ids) for w in line.split()], "-q")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.-]+", key) for key in lines), result.stdout


def test_user_and_region_lists_are_arrays_of_objects(run, store):
    users = json.loads(run("user", "list", "--format", "json").stdout)
    assert [u["handle"] for u in users] == list(store.config.users)
    assert users[0] == {"handle": "sanna.salo", **store.config.users["sanna.salo"]}
    regions = json.loads(run("region", "list", "--format", "json").stdout)
    assert [r["key"] for r in regions] == ["kotka", "helsinki", "tampere"]
    assert regions[0]["name"] == "Kotka" and regions[0]["owners"]["sales"]


def test_stage_list_quiet_gives_the_stage_keys(run, ids, store):
    result = run("project", "stage", "list", ids["project"], "-q")
    assert result.stdout == "".join(f"{s['key']}\n" for s in store.get(ids["project"])["stages"])


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_show_csv_carries_keys_and_stored_values_in_any_language(run, ids, store, lang):
    """A machine format: `field,value` rows of keys, stored values and dotted keys, as list's and export's CSV."""
    rows = list(csv.reader(io.StringIO(run("--lang", lang, "sr", "show", ids["sr"], "--format", "csv").stdout)))
    record = store.get(ids["sr"])
    assert rows[0] == ["field", "value"]
    assert rows[1] == ["id", ids["sr"]]
    values = dict(rows[1:])
    assert values["subject"] == record["subject"] and values["status_reason"] == record["status_reason"]
    assert values["priority"] == record["priority"]


@pytest.mark.parametrize("ext, check", [
    (".md", lambda text: text.startswith("# ")),
    (".csv", lambda text: text.startswith("month,")),
    (".json", lambda text: json.loads(text)["report"] == "calls"),
    (".yaml", lambda text: yaml.safe_load(text)["report"] == "calls"),
    (".svg", lambda text: text.startswith("<svg")),
])
def test_out_takes_the_format_from_the_extension(run, tmp_path, ext, check):
    out = tmp_path / f"calls{ext}"
    result = run("report", "calls", "--from", "2011-01", "--to", "2011-01", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert check(out.read_text(encoding="utf-8"))


def test_stage_list_csv_carries_keys_not_labels(run, ids):
    rows = list(csv.DictReader(io.StringIO(run("project", "stage", "list", ids["project"], "--format", "csv").stdout)))
    assert [(r["key"], r["role"], r["status"]) for r in rows[:2]] == [
        ("needs_assessment", "sales", "not_started"), ("offer", "sales", "not_started")]
