"""One CLI policy: global options on every command, formats declared per command, one error-to-exit-code map, and
configuration faults reported as such (never "internal error")."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from crmctl.cli import base, cli
from conftest import snapshot

GLOBAL = ("--root", "--as", "--lang", "--format", "-q", "--quiet", "--reveal", "--debug")
SR = "title=Laskukysely customer=CUST-GENERAL person_name=Matti subject=billing".split()


def every_command(ctx, group, path=()):
    """(words, command) for every command under `group`, loading lazy ones as a user's call would."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from every_command(ctx, command, (*path, name))


@pytest.fixture
def tree():
    with click.Context(cli, info_name="crmctl") as ctx:
        return list(every_command(ctx, cli))


def test_every_command_takes_every_global_option_unless_it_has_its_own(tree):
    assert len(tree) > 40
    for words, command in tree:
        opts = {opt for param in command.params for opt in param.opts}
        assert set(GLOBAL) <= opts, words
    [build] = [c for words, c in tree if words == ("manual", "build")]
    [lang] = [p for p in build.params if "--lang" in p.opts]
    assert "all" in lang.type.choices  # the manual's own --lang, not the global one


def test_global_options_are_declared_not_rewritten():
    assert not hasattr(base, "hoist_global_options") and not hasattr(base, "COMMAND_OPTIONS")


def test_every_command_declares_the_formats_it_produces(tree):
    for words, command in tree:
        if not isinstance(command, click.Group):
            assert command.formats and set(command.formats) <= set(base.OUTPUT_FORMATS), words


@pytest.mark.parametrize("args", [
    ["--format", "md", "sr", "list", "-q"], ["sr", "--format", "md", "list", "-q"], ["sr", "list", "-q", "--format", "md"],
    ["--lang", "en", "sr", "views", "--format", "csv"], ["sr", "views", "--lang", "en", "--format", "csv"],
])
def test_global_options_anywhere_among_the_command_words(run, args):
    result = run(*args)
    assert result.exit_code == 0, result.stderr


def test_the_last_given_value_wins(run):
    assert run("--lang", "fi", "sr", "views", "--lang", "en").stdout.startswith("Key")
    assert run("--lang", "en", "sr", "views", "--lang", "fi").stdout.startswith("Avain")


def test_a_global_option_before_a_commands_own_of_the_same_name(run, empty_store, tmp_path):
    out = tmp_path / "manual"
    result = run("manual", "--lang", "en", "build", "--lang", "fi", "--out", str(out), root=empty_store.root)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["fi"]
    assert result.stderr.startswith("Wrote ")


@pytest.mark.parametrize("args, error", [
    (["--format", "jsonl", "sr", "list"], "sr list: --format jsonl is not supported (one of table, json, yaml, csv, md)"),
    (["sr", "new", *SR, "--format", "json"], "sr new: --format json is not supported (one of table)"),
    (["--format", "csv", "check"], "check: --format csv is not supported (one of table, json, yaml)"),
    (["export", "customer", "--format", "md"], "export: --format md is not supported (one of jsonl, json, csv)"),
    (["project", "stage", "complete", "PRJ-20110125", "--format", "yaml"],
     "project stage complete: --format yaml is not supported (one of table)"),
])
def test_a_format_the_command_does_not_produce_is_a_usage_error(run, store, args, error):
    result = run("--lang", "en", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {error}\n")
    assert not list(store.root.glob("service-requests/**/*.yaml"))  # refused before doing anything


def test_export_defaults_to_jsonl(run):
    lines = run("export", "customer").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["CUST-GENERAL"]


@pytest.mark.parametrize("suffix, check", [
    (".csv", lambda text: text.startswith("month,received,")),
    (".json", lambda text: json.loads(text)["report"] == "calls"),
    (".yaml", lambda text: text.startswith("report: calls\n")),
    (".md", lambda text: text.startswith("# Puheluseuranta")),
    (".txt", lambda text: text.startswith("Kuukausi    Vastaanotetut")),  # no known extension: a table
])
def test_out_file_extension_chooses_the_format(run, tmp_path, suffix, check):
    out = tmp_path / f"calls{suffix}"
    result = run("report", "calls", "--from", "2011-01", "--to", "2011-01", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert check(out.read_text(encoding="utf-8")), out.read_text(encoding="utf-8")[:80]


def test_format_option_wins_over_the_out_extension(run, tmp_path):
    out = tmp_path / "calls.csv"
    assert run("report", "calls", "--from", "2011-01", "--to", "2011-01", "--format", "json",
               "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["report"] == "calls"


def test_an_out_extension_the_command_does_not_produce_is_a_usage_error(run, tmp_path):
    out = tmp_path / "calls.jsonl"
    result = run("--lang", "en", "report", "calls", "--out", str(out))
    assert (result.exit_code, result.stderr) == (2, "Error: report calls: --out: jsonl is not supported "
                                                    "(one of table, md, csv, json, yaml, svg)\n")
    assert not out.exists()


# -- configuration faults ------------------------------------------------------------------------------------------

def break_setting(store, key, value):
    path = store.root / "crmctl.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(f"{key}:")]
    path.write_text("\n".join(lines + [f"{key}: {value}"]) + "\n", encoding="utf-8")
    return path


def assert_config_error(result, message, prefix="Virhe"):
    assert (result.exit_code, result.stdout) == (1, ""), result.stderr
    assert result.stderr == f"{prefix}: {message}\n"
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("value", ["Mars/Base", "''", "5", "../etc"])
def test_a_bad_time_zone_names_the_file_and_key(run, store, value, monkeypatch):
    monkeypatch.chdir(store.root)
    break_setting(store, "timezone", value)
    shown = {"''": "''", "5": "5"}.get(value, repr(value))
    assert_config_error(run("sr", "new", *SR), f"crmctl.yaml: timezone: tuntematon aikavyöhyke {shown}")


@pytest.mark.parametrize("value, shown", [("XX", "'XX'"), ("5", "5")])
def test_a_bad_calendar_names_the_file_and_key(run, store, value, shown, monkeypatch):
    monkeypatch.chdir(store.root)
    assert run("sr", "new", *SR).exit_code == 0
    break_setting(store, "calendar", value)
    assert_config_error(run("sr", "list"), f"crmctl.yaml: calendar: tuntematon pyhäpäiväkalenteri {shown}")  # due dates


def test_a_missing_template_names_the_template(run, store, monkeypatch, tmp_path):
    monkeypatch.setattr("crmctl.kernel.templates.templates_dir", lambda: tmp_path / "no-templates")
    result = run("--format", "md", "report", "calls", "--from", "2011-01", "--to", "2011-01")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Virhe: templates/reports/calls.md.j2 or templates/reports/report.md.j2: "
                                    "mallipohjaa ei löydy (etsitty: ")
    assert str(store.root / "templates") in result.stderr


def test_a_broken_template_in_the_store_names_the_file_and_line(run, store):
    folder = store.root / "templates" / "reports"
    folder.mkdir(parents=True)
    (folder / "report.md.j2").write_text("# {{ title }}\n{% for x in %}\n", encoding="utf-8")
    result = run("--format", "md", "report", "calls", "--from", "2011-01", "--to", "2011-01")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Virhe: templates/reports/report.md.j2:2: ")


def test_unparsable_configuration_yaml_names_the_file_and_line(run, store):
    path = store.root / "crmctl.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "language: [fi\n", encoding="utf-8")
    result = run("sr", "list")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Virhe: {path}:")
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("name", ["crmctl.yaml", "users.yaml", "config/sla.yaml"])
def test_configuration_that_is_not_a_mapping_names_the_file(run, store, name):
    (store.root / name).write_text("- a\n- b\n", encoding="utf-8")
    assert_config_error(run("--lang", "en", "sr", "new", *SR), f"{store.root / name}: expected a mapping, found a list", "Error")


def test_unreadable_configuration_names_the_file(run, store):
    path = store.root / "users.yaml"
    path.unlink()
    path.mkdir()
    assert_config_error(run("--lang", "en", "sr", "list"), f"{path}: cannot read: Is a directory", "Error")


def test_anything_else_is_an_internal_error_as_the_last_resort(run, monkeypatch):
    monkeypatch.setattr("crmctl.cli.generic.list_query", lambda *args, **kwargs: {}["boom"])
    result = run("sr", "list")
    assert (result.exit_code, result.stderr) == (1, "Virhe: sisäinen virhe (internal error): KeyError: 'boom'\n")


def test_a_record_type_added_in_the_configuration_follows_the_same_policy(run, store):
    (store.root / "config" / "types" / "contact.yaml").write_text(
        "key: contact\nprefix: CONT\ndir: contacts\ncommand: contact\n"
        "label: {fi: Yhteyshenkilö, en: Contact}\nplural: {fi: Yhteyshenkilöt, en: Contacts}\ntitle_field: name\n"
        "fields:\n  - key: name\n    label: {fi: Nimi, en: Name}\n    type: line\n    level: required\n",
        encoding="utf-8")
    created = run("contact", "new", "name=Maija", "--as", "mette.murto")
    assert created.exit_code == 0, created.stderr
    contact = created.stdout.strip()
    assert run("contact", "list", "-q").stdout == f"{contact}\n"
    assert json.loads(run("contact", "show", contact, "--format", "json").stdout)["name"] == "Maija"
    refused = run("--lang", "en", "contact", "new", "name=Matti", "--format", "csv")
    assert (refused.exit_code, refused.stderr) == (2, "Error: contact new: --format csv is not supported (one of table)\n")


def test_a_finnish_store_words_the_format_error_in_finnish(run):
    result = run("sr", "list", "--format", "jsonl")
    assert (result.exit_code, result.stderr) == (
        2, "Virhe: sr list: muotoa --format jsonl ei tueta (vaihtoehdot: table, json, yaml, csv, md)\n")


def test_a_commands_help_names_the_formats_it_produces(run):
    assert "--format [jsonl|json|csv]  Output format (default: jsonl)." in run("export", "--help").stdout
    assert "--format [table|json|yaml|csv|md]" in run("sr", "list", "--help").stdout


def test_the_last_resort_message_needs_no_built_ins(store):
    """Wording "internal error" reads only crmctl's own catalogue: when loading the built-ins is what failed, the
    message still comes out, in one line, without a traceback."""
    program = ("import sys; sys.modules['crmctl.builtins'] = None\n"
               "from crmctl.cli import main; sys.argv = ['crmctl', '--root', sys.argv[1], 'sr', 'list']; main()")
    done = subprocess.run([sys.executable, "-c", program, str(store.root)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Virhe: sisäinen virhe (internal error): ")


@pytest.mark.parametrize("module, package", [("holidays", "holidays"), ("tabulate", "tabulate")])
def test_a_missing_dependency_is_named_with_the_way_to_install_it(store, run, module, package):
    """An environment without one of crmctl's packages (crmctl run from a checkout by a Python that lacks it) gets
    a clear error naming the package, exit 1, never `internal error`, where nothing stands in for it: another
    country's holidays (Finland's are computed), a table of wide text."""
    blocked = f"import sys; sys.modules.update({{m: None for m in ({module!r}, {module!r} + '.registry')}}); " \
              "from crmctl.cli import main; sys.argv = ['crmctl'] + sys.argv[1:]; main()"
    if module == "holidays":
        settings = store.root / "crmctl.yaml"
        settings.write_text(settings.read_text(encoding="utf-8").replace("calendar: FI", "calendar: SE"),
                            encoding="utf-8")
        args = ["--root", str(store.root), "--lang", "en", "check"]
    else:  # text wider than its length (East Asian characters): only tabulate aligns such a table
        assert run("sr", "new", "title=Laskukysely 日本", *SR[1:]).exit_code == 0
        args = ["--root", str(store.root), "--lang", "en", "sr", "list"]
    before = snapshot(store.root)
    done = subprocess.run([sys.executable, "-c", blocked, *args], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (1, "")
    assert snapshot(store.root) == before
    assert done.stderr == (f"Error: crmctl needs the Python package {package}, which is not installed in this "
                           f"environment: install crmctl with pip (README's install command), which brings it, or "
                           f"`pip install {package}`\n")


@pytest.mark.slow
def test_the_demo_store_checks_in_a_python_without_holidays_phonenumbers_or_email_validator(tmp_path):
    """crmctl run from a checkout under a Python that has only click, PyYAML and Jinja2: Finland's working days
    are computed, phone numbers and addresses checked by crmctl's basic rules, and the command says so on
    stderr. The demo store's findings are the same as with every package installed."""
    repo = Path(__file__).resolve().parents[2]
    demo = tmp_path / "records"
    shutil.copytree(repo / "records", demo, ignore=shutil.ignore_patterns(".cache"))
    blocked = ("holidays", "phonenumbers", "email_validator", "tabulate")
    program = ("import runpy, sys\n"
               f"for name in {blocked!r}:\n    sys.modules[name] = None\n"
               "sys.argv = ['crmctl'] + sys.argv[1:]\nrunpy.run_module('crmctl', run_name='__main__')\n")
    env = {**os.environ, "PYTHONPATH": str(repo), "CRMCTL_NOW": "2011-03-31T18:00:00+03:00", "CRMCTL_LANG": "en"}

    def check(*prefix):
        return subprocess.run([sys.executable, *prefix, "--root", str(demo), "check"], env=env,
                              capture_output=True, text=True, timeout=300)

    reduced = check("-c", program)
    assert reduced.returncode == 0, reduced.stderr
    assert reduced.stderr.splitlines() == [
        "0 error(s), 270 warning(s)",
        "note: the Python package email-validator is not installed: e-mail addresses were checked by crmctl's "
        "basic rule only; `pip install email-validator` checks them fully",
        "note: the Python package phonenumbers is not installed: phone numbers were checked by crmctl's basic "
        "rule only (their length, not the number plan); `pip install phonenumbers` checks them fully"]
    # answered from the findings the first run kept: made by the same basic rules, and said so again
    again = check("-c", program)
    assert (again.returncode, again.stdout, again.stderr) == (0, reduced.stdout, reduced.stderr)
    full = check("-m", "crmctl")  # the libraries there: the kept findings are not theirs, and are not used
    assert (full.returncode, full.stdout, full.stderr) == (0, reduced.stdout, "0 error(s), 270 warning(s)\n")
