"""Issue 15 item 11: init names the store, user set clears initials, lead handle's title language, check --errors-only."""

import json

import yaml
from click.testing import CliRunner

from crmctl.cli import cli

LEAD = ("topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567", "source=phone", "region=kotka")


def crmctl(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def first_line(root):
    return (root / "crmctl.yaml").read_text(encoding="utf-8").splitlines()[0]


def test_init_names_the_store_after_its_folder(tmp_path):
    root = tmp_path / "Kotkan Kaasu"
    assert crmctl("init", str(root)).exit_code == 0
    assert first_line(root) == "name: Kotkan Kaasu"
    assert crmctl("--root", str(root), "check").exit_code == 0


def test_init_name_option_keeps_the_rest_of_crmctl_yaml(tmp_path):
    root = tmp_path / "crm"
    assert crmctl("init", str(root), "--name", "Kotkan Kaasu Oy: kaasu").exit_code == 0
    text = (root / "crmctl.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "name: 'Kotkan Kaasu Oy: kaasu'"
    assert yaml.safe_load(text)["name"] == "Kotkan Kaasu Oy: kaasu"
    assert "language: fi            # fi | en: labels and messages\n" in text


def test_init_refuses_an_empty_name_and_writes_nothing(tmp_path):
    result = crmctl("--lang", "en", "init", str(tmp_path / "crm"), "--name", " ")
    assert (result.exit_code, result.stderr) == (2, "Error: a store's name is one line of text, not empty: ' '\n")
    assert not (tmp_path / "crm").exists()


def test_user_set_clears_initials_but_not_a_required_field(run, store):
    assert run("user", "set", "taija.halme", "initials=TaH").exit_code == 0
    result = run("user", "set", "taija.halme", "initials=")
    assert result.exit_code == 0, result.stderr
    store.reload_config()
    assert "initials" not in store.config.users["taija.halme"]
    assert "initials" not in (store.root / "users.yaml").read_text(encoding="utf-8")
    result = run("--lang", "en", "user", "set", "taija.halme", "name=")
    assert result.exit_code == 1
    assert result.stderr == "Error: the record breaks these rules:\n  name (Name): required\n"


def test_lead_handle_titles_the_project_in_the_chosen_language(run, store):
    lead_id = run("lead", "new", *LEAD).stdout.strip()
    result = run("--lang", "en", "lead", "handle", lead_id)
    assert result.exit_code == 0, result.stderr
    project = store.get(result.stdout.strip())
    assert project["title"] == "Gas connection sales: Pekka Puupää"


def test_check_errors_only_lists_only_the_errors(run, store):
    path = next((store.root / "customers").rglob("CUST-GENERAL.yaml"))
    result = run("sr", "new", "title=Laskussa virhe", "customer=CUST-GENERAL", "person_name=Matti Meikäläinen",
                 "subject=billing")
    record = store.path_of(result.stdout.strip())
    record.write_text(record.read_text(encoding="utf-8").replace("subject: billing\n", "subject: bilning\n"),
                      encoding="utf-8")
    everything = run("--lang", "en", "check")
    assert ": warning: " in everything.stdout and ": error: " in everything.stdout
    errors = run("--lang", "en", "check", "--errors-only")
    assert errors.exit_code == 1
    assert errors.stdout == "".join(f"{line}\n" for line in everything.stdout.splitlines() if ": error: " in line)
    assert errors.stderr == everything.stderr  # the summary still counts the warnings
    listed = json.loads(run("check", "--errors-only", "--format", "json").stdout)
    assert {f["level"] for f in listed} == {"error"} and len(listed) == errors.stdout.count("\n")
    assert path.exists()


def test_check_errors_only_excludes_strict(run):
    result = run("--lang", "en", "check", "--errors-only", "--strict")
    assert (result.exit_code, result.stderr) == (2, "Error: --strict and --errors-only exclude each other\n")
