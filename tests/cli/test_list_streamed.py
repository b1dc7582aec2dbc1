"""`list` writes its rows as it makes them (only the sort values and the printed cells kept per record, whole
records read again one at a time for json and yaml): byte for byte what sorting whole records, wording them with
`display.rows` and rendering them at once gives, in every format, view, language, with and without --reveal,
through the index and without it."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from crmctl.cli import cli
from crmctl.cli.generic import default_columns
from crmctl.engine.query import Evaluator, parse_filters, sort_records
from crmctl.present import display
from crmctl.present.formats import render_data, render_rows
from crmctl.store.store import Store
from conftest import DEMO, DEMO_LAST_DAY as NOW, copy_of_demo

COMMANDS = {"sr": "service_request", "customer": "customer", "lead": "lead", "project": "sales_project",
            "request": "account_request"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return copy_of_demo(tmp_path_factory.mktemp("streamed") / "records")


def whole_list(root, type_key, view_key, filter_texts, fmt, lang, reveal):
    """The list as it was printed before it was streamed: every record read whole, sorted, then rendered."""
    store = Store(root)
    rtype = store.config.types[type_key]
    evaluator = Evaluator(store, rtype, actor="mette.murto", lang=lang)
    filters, sort, columns = parse_filters(filter_texts), ["id"], default_columns(rtype)
    if isinstance(store.config.sla.get(rtype.key), list) and "due" not in columns:
        columns.append("due")
    if view_key:
        view = rtype.views[view_key]
        filters, sort, columns = parse_filters(view.filters) + filters, view.sort or sort, view.columns or columns
    found = sort_records([r for r in store.records(rtype) if evaluator.matches(r, filters)], sort, evaluator)
    shown = found if reveal else list(map(display.masker(rtype), found))
    if fmt in ("json", "yaml"):
        return render_data(shown, fmt)
    if fmt == "csv":
        rows = [{c: evaluator.value(r, c) for c in columns} for r in shown]
    else:
        rows = display.rows(evaluator, shown, columns, lang)
    return render_rows(rows, columns, [display.column_label(rtype, c, lang) for c in columns], fmt)


def cases():
    store = Store(DEMO)
    for command, type_key in COMMANDS.items():
        for view_key in [None, *store.config.types[type_key].views]:
            for fmt in ("table", "csv", "md", "json", "yaml"):
                yield command, type_key, view_key, (), fmt
    yield "sr", "service_request", None, ("subject=meter_reading",), "json"
    yield "sr", "service_request", None, ("id=SR-19990101-XXXXX",), "json"  # nothing: an empty list
    yield "sr", "service_request", None, ("id=SR-19990101-XXXXX",), "yaml"
    yield "sr", "service_request", None, ("id=SR-19990101-XXXXX",), "csv"
    yield "sr", "service_request", None, ("id=SR-19990101-XXXXX",), "md"


@pytest.mark.parametrize("indexed", [True, False])
def test_every_format_is_the_whole_lists(demo, monkeypatch, indexed):
    monkeypatch.setenv("CRMCTL_NOW", NOW)
    monkeypatch.setenv("CRMCTL_USER", "mette.murto")
    if indexed:
        monkeypatch.delenv("CRMCTL_NO_INDEX", raising=False)
    else:
        monkeypatch.setenv("CRMCTL_NO_INDEX", "1")
    runner = CliRunner()
    for command, type_key, view_key, filter_texts, fmt in cases():
        for lang, reveal in (("fi", False), ("en", True)):
            args = ["--root", str(demo), "--lang", lang, command, "list", *filter_texts, "--format", fmt]
            args += ["--view", view_key] if view_key else []
            args += ["--reveal"] if reveal else []
            result = runner.invoke(cli, args, catch_exceptions=False)
            assert result.exit_code == 0, (args, result.stderr)
            assert result.stdout == whole_list(demo, type_key, view_key, filter_texts, fmt, lang, reveal), args


def test_a_reader_that_stops_early_ends_the_list_quietly(demo):
    """`crmctl sr list | head`: the list is written in pieces, and the piece after the reader left finds the pipe
    closed; as when the list was printed at once, that is no error. (The demo's json list is larger than a pipe
    holds, so a piece is always still to be written when the reader leaves.)"""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "CRMCTL_NOW": NOW,
           "CRMCTL_USER": "mette.murto"}
    env.pop("CRMCTL_NO_INDEX", None)
    process = subprocess.Popen([sys.executable, "-m", "crmctl", "--root", str(demo), "sr", "list", "--format", "json"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(10)
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (0, b"")


def test_a_reader_that_stops_early_ends_any_command_quietly(demo):
    """Every command's output goes through one writer (Env.out): `crmctl check | head` ends as quietly as a list
    does (exit 0: what the reader read is its answer), never 'Broken pipe' and exit 1."""
    import os
    import shutil
    import subprocess
    import sys

    # copies in the wrong folders: more lines than check writes at once (admin.CHECK_LINES_PER_WRITE)
    for year in range(2012, 2020):
        shutil.copytree(demo / "service-requests" / "2011", demo / "service-requests" / str(year))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "CRMCTL_NOW": NOW}
    process = subprocess.Popen([sys.executable, "-m", "crmctl", "--root", str(demo), "check"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(10)
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (0, b"")
