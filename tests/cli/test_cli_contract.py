"""The public command-line contract of cli.md: global options, formats, languages, masking, exit codes, discovery."""

import csv
import io
import json

import pytest
import yaml
from click.testing import CliRunner

from crmctl.cli import cli

HETU = "131052-308T"


@pytest.fixture
def records(run):
    """A person customer with a HETU and one service request of mette.murto's."""
    customer = run("customer", "new", "name=Matti Meikäläinen", "kind=person", f"personal_id={HETU}").stdout.strip()
    request = run("sr", "new", "title=Laskukysely", f"customer={customer}", "subject=billing").stdout.strip()
    assert customer and request
    return customer, request


# -- global options --------------------------------------------------------------------------

@pytest.mark.parametrize("after, before", [
    (["sr", "list", "--format", "json", "-q"], ["--format", "json", "-q", "sr", "list"]),
    (["sr", "list", "--lang", "en", "--format", "csv"], ["--lang", "en", "--format", "csv", "sr", "list"]),
    (["customer", "show", "{customer}", "--reveal", "--format=yaml"], ["--reveal", "--format=yaml", "customer", "show", "{customer}"]),
    (["sr", "list", "owner=me", "--as", "taija.halme", "-q"], ["--as", "taija.halme", "-q", "sr", "list", "owner=me"]),
])
def test_global_options_may_stand_before_or_after_the_command_words(run, records, after, before):
    customer, _ = records
    first = run(*[a.format(customer=customer) for a in after])
    second = run(*[a.format(customer=customer) for a in before])
    assert first.exit_code == second.exit_code == 0
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)


def test_quiet_lists_print_only_ids(run, store, records):
    customer, request = records
    assert run("sr", "list", "-q").stdout == f"{request}\n"
    assert run("customer", "list", "--quiet").stdout == "".join(sorted(f"{i}\n" for i in (customer, "CUST-GENERAL")))
    assert run("sr", "list", "-q", "subject=fault").stdout == ""
    assert run("user", "list", "-q").stdout.splitlines() == list(store.config.users)
    assert run("region", "list", "-q").stdout == "kotka\nhelsinki\ntampere\n"
    assert run("sr", "views", "-q").stdout.splitlines()[0] == "unresolved"


def test_me_means_the_acting_user(run, records):
    _, request = records
    assert run("sr", "list", "owner=me", "-q").stdout == f"{request}\n"
    assert run("--as", "taija.halme", "sr", "list", "owner=me", "-q").stdout == ""
    assert run("--as", "taija.halme", "sr", "list", "owner=me,mette.murto", "-q").stdout == f"{request}\n"
    assert run("--as", "taija.halme", "sr", "list", "owner!=me", "-q").stdout == f"{request}\n"


LISTS = [["customer", "list"], ["sr", "list"], ["sr", "list", "--view", "unresolved"], ["sr", "views"],
         ["lead", "list"], ["request", "list"], ["project", "list"], ["user", "list"], ["region", "list"],
         ["customer", "history", "{customer}"]]


@pytest.mark.parametrize("command", LISTS, ids=[" ".join(c) for c in LISTS])
def test_every_list_speaks_every_format(run, records, command):
    customer, _ = records
    args = [a.format(customer=customer) for a in command]
    outputs = {fmt: run("--format", fmt, *args) for fmt in ("table", "json", "yaml", "csv", "md")}
    for fmt, result in outputs.items():
        assert result.exit_code == 0, (fmt, result.stderr)
        assert result.stderr == ""
    rows = json.loads(outputs["json"].stdout)
    assert isinstance(rows, (list, dict))
    assert yaml.safe_load(outputs["yaml"].stdout) is not None or rows in ([], {})
    if rows:
        assert len(list(csv.reader(io.StringIO(outputs["csv"].stdout)))) >= 2
        assert outputs["md"].stdout.startswith("| ")
        assert outputs["md"].stdout.splitlines()[1].startswith("|--")
        assert "\n---" in outputs["table"].stdout or outputs["table"].stdout.splitlines()[1].startswith("-")


def test_labels_follow_lang_option_then_environment_then_store(run, records, monkeypatch):
    fi_header = run("customer", "list").stdout.splitlines()[0].split()
    assert fi_header == ["Tunniste", "Nimi", "Asiakastyyppi"]
    en_header = run("--lang", "en", "customer", "list").stdout.splitlines()[0]
    assert en_header.split("  ")[0] == "ID" and "Customer kind" in en_header
    assert "Person" in run("--lang", "en", "customer", "list").stdout
    monkeypatch.setenv("CRMCTL_LANG", "en")
    assert run("customer", "list").stdout.splitlines()[0] == en_header
    assert run("--lang", "fi", "customer", "list").stdout.splitlines()[0].split() == fi_header


def test_confidential_fields_are_masked_everywhere_unless_revealed(run, records):
    customer, _ = records
    assert run("customer", "set", customer, "personal_id=010594Y9032").exit_code == 0
    for args in (["customer", "show", customer], ["--format", "json", "customer", "show", customer],
                 ["--format", "yaml", "customer", "show", customer], ["--format", "json", "customer", "list"],
                 ["--format", "json", "customer", "history", customer], ["customer", "history", customer]):
        shown = run(*args).stdout
        assert "308T" not in shown and "9032" not in shown, args
    assert "010594Y****" in run("customer", "show", customer).stdout
    history = json.loads(run("--format", "json", "customer", "history", customer).stdout)
    assert history[-1]["changes"] == {"personal_id": ["131052-****", "010594Y****"]}
    revealed = json.loads(run("--reveal", "--format", "json", "customer", "history", customer).stdout)
    assert revealed[-1]["changes"] == {"personal_id": [HETU, "010594Y9032"]}
    assert json.loads(run("--reveal", "--format", "json", "customer", "show", customer).stdout)["personal_id"] == "010594Y9032"


def test_machine_output_is_never_mixed_with_messages(run, store, records):
    _, request = records
    result = run("--format", "json", "check")
    assert result.exit_code == 0
    findings = json.loads(result.stdout)
    assert {f["level"] for f in findings} == {"warning"}
    assert set(findings[0]) == {"path", "line", "level", "code", "message"}
    assert result.stderr == f"virheitä: 0, varoituksia: {len(findings)}\n"
    created = run("sr", "new", "title=x", "customer=CUST-GENERAL", "person_name=M", "subject=fault")
    assert created.stdout.count("\n") == 1 and created.stderr.startswith("Varoitus: ")


# -- exit codes --------------------------------------------------------------------------------

@pytest.mark.parametrize("args, error", [
    (["sr", "list", "--bogus"], "Error: No such option '--bogus'."),
    (["sr", "show"], "Error: Missing argument 'RECORD_ID'."),
    (["sr", "set", "SR-20110125"], "Virhe: anna muutettavat kentät: AVAIN=ARVO tai --from-file TIEDOSTO"),
    (["--format", "xml", "sr", "list"], "Error: Invalid value for '--format': 'xml' is not one of"),
    (["--lang", "sv", "sr", "list"], "Error: Invalid value for '--lang': 'sv' is not one of 'fi', 'en'."),
    (["sr", "frobnicate"], "Error: No such command 'frobnicate'."),
    (["frobnicate"], "Error: No such command 'frobnicate'."),
    (["sr", "new", "title"], "Virhe: odotettiin AVAIN=ARVO, saatiin 'title'"),
    (["sr", "list", "owner"], "Virhe: ei suodatin (AVAIN OP ARVO, OP jokin näistä: = != < <= > >= ~): 'owner'"),
    (["sr", "list", "owner==x"], "Virhe: ei suodatin (AVAIN OP ARVO, OP jokin näistä: = != < <= > >= ~): 'owner==x'"),
    (["sr", "list", "received=>2011-01-01"], "Virhe: ei suodatin (AVAIN OP ARVO, OP jokin näistä: = != < <= > >= ~): "),
])
def test_usage_errors_exit_2(run, store, args, error):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert error in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, error", [
    (["sr", "show", "SR-20110125-ZZZZZ"], "Virhe: 'SR-20110125-ZZZZZ' ei vastaa yhtään tietuetta (tyyppi: palvelupyyntö)\n"),
    (["--as", "nobody", "sr", "new", "title=x"], "Virhe: tuntematon käyttäjä 'nobody' (katso `crmctl user list`)\n"),
    (["sr", "list", "--view", "nothing"], "Virhe: näkymää 'nothing' ei ole (palvelupyynnöt; näkymät: "),
])
def test_wrong_data_or_requests_exit_1(run, store, args, error):
    result = run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(error)


def test_internal_errors_show_a_traceback_only_with_debug(run, store, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("crmctl.cli.generic.list_query", broken)  # what every list reads first
    plain = run("sr", "list")
    assert (plain.exit_code, plain.stderr) == (1, "Virhe: sisäinen virhe (internal error): RuntimeError: boom\n")
    debug = run("--debug", "sr", "list")
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.endswith("Virhe: sisäinen virhe (internal error): RuntimeError: boom\n")


# -- finding the store ---------------------------------------------------------------------------

def test_store_is_found_by_root_then_environment_then_walking_up(store, tmp_path, monkeypatch):
    runner = CliRunner()

    def ids(*args):
        result = runner.invoke(cli, [*args, "customer", "list", "-q"])
        return result.exit_code, result.stdout, result.stderr

    found = (0, "CUST-GENERAL\n", "")
    monkeypatch.chdir(tmp_path)
    assert ids()[0] == 1 and ids()[2].startswith("Virhe: tästä kansiosta tai sen yläpuolelta ei löydy crmctl-varastoa")
    monkeypatch.setenv("CRMCTL_ROOT", str(store.root))
    assert ids() == found
    assert ids("--root", str(tmp_path))[2] == f"Virhe: ei crmctl-varasto (crmctl.yaml puuttuu): {tmp_path}\n"
    monkeypatch.delenv("CRMCTL_ROOT")
    monkeypatch.chdir(store.root / "customers")
    assert ids() == found  # walking up from inside the store
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    store.root.rename(project / "records")
    monkeypatch.chdir(project / "docs")
    assert ids() == found  # a directory whose records/ holds the store
