"""Issue 15 item 5: with a Finnish store (or --lang fi) every message is Finnish, from the catalogue."""

import ast
import json
import subprocess
from pathlib import Path

import pytest

from conftest import new_request

PACKAGE = Path(__file__).resolve().parents[2] / "crmctl"
LEAD = ("topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567", "source=phone", "region=kotka")


def new_project(run):
    result = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                 "title=Maakaasuliittymä Gunnarintie 5", "value=12000")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_ambiguous_prefix_is_finnish(run):
    first, second = new_request(run), new_request(run)
    result = run("--lang", "fi", "sr", "show", "SR-2011")
    assert result.exit_code == 1
    assert result.stderr == f"Virhe: 'SR-2011' on moniselitteinen: {', '.join(sorted([first, second]))}\n"


def test_admin_only_is_finnish(run, monkeypatch):
    monkeypatch.setenv("CRMCTL_USER", "taija.halme")
    result = run("user", "add", "x.y", "name=X Y", "email=x@example.fi")
    assert result.exit_code == 1
    assert result.stderr == "Virhe: vain ylläpitäjä voi muuttaa käyttäjiä ja alueita (taija.halme ei ole ylläpitäjä)\n"


def test_unknown_stage_and_needs_a_reason_are_finnish(run):
    project_id = new_project(run)
    result = run("--lang", "fi", "project", "stage", "complete", project_id, "offre")
    assert result.exit_code == 1
    assert result.stderr.startswith("Virhe: tyypin gas_connection myyntiprojektissa ei ole vaihetta 'offre' ")
    result = run("sr", "status", new_request(run), "cancelled")
    assert (result.exit_code, result.stderr) == (1, "Virhe: siirto in_progress → cancelled vaatii syyn (reason=...)\n")


def test_already_done_is_finnish(run):
    lead_id = run("lead", "new", *LEAD).stdout.strip()
    assert run("lead", "handle", lead_id).exit_code == 0
    result = run("lead", "handle", lead_id)
    assert (result.exit_code, result.stderr) == (1, f"Virhe: {lead_id} on jo tilassa handled\n")


@pytest.mark.slow  # runs git
def test_git_identity_error_is_finnish(run, store, monkeypatch):
    subprocess.run(["git", "init", "-q", str(store.root)], check=True)
    subprocess.run(["git", "-C", str(store.root), "config", "user.email", "vieras@example.fi"], check=True)
    monkeypatch.delenv("CRMCTL_USER")
    result = run("sr", "new", "title=Laskussa virhe", "customer=CUST-GENERAL", "person_name=Matti Meikäläinen",
                 "subject=billing")
    assert result.exit_code == 1
    assert result.stderr == ("Virhe: git user.email 'vieras@example.fi' ei ole minkään käyttäjän sähköpostiosoite; "
                             "käytä valitsinta --as tai muuttujaa CRMCTL_USER\n")


def test_check_stage_texts_are_finnish(run, store):
    project_id = new_project(run)
    path = store.path_of(project_id)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- key: offer\n  status: not_started\n",
                                 "- key: offer\n  status: done\n  started: 2011-01-20\n  completed: 2011-01-19\n"),
                    encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    shown = store.display_path(path)
    assert [line for line in result.stdout.splitlines() if "stage" in line] == [
        f"{shown}:10: error: stage-order: vaihe offer on tilassa done, mutta sitä edeltävä needs_assessment ei ole",
        f"{shown}:10: error: date-order: vaihe offer valmistui 2011-01-19 ennen kuin se alkoi 2011-01-20",
    ]


def test_notify_dry_run_in_english_on_a_finnish_store(run):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    result = run("notify", "--from", "crm@example.fi", "--dry-run", "--lang", "en", "--format", "json")
    assert [row["subject"] for row in json.loads(result.stdout)] == [
        f"Delegated: Service request {record_id} – Laskussa virhe"]


@pytest.mark.parametrize("args, message", [
    (("report", "monthly", "--from", "2011-13"), "Virhe: --from: odotettiin kuukautta muodossa VVVV-KK, saatiin '2011-13'\n"),
    (("report", "monthly", "--from", "2011-03", "--to", "2011-01"), "Virhe: --from 2011-03 on myöhemmin kuin --to 2011-01\n"),
])
def test_report_month_errors_are_finnish(run, args, message):
    result = run(*args)
    assert (result.exit_code, result.stderr) == (2, message)


def crm_error_classes(trees):
    """Names of CrmError and every class that derives from it, found in the source."""
    names = {"CrmError"}
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        isinstance(base, ast.Name) and base.id in names for base in node.bases):
                    names.add(node.name)
                    grew = True
    return names


def test_no_error_is_raised_with_an_english_literal():
    """A CrmError worded in the code would be English whatever the reader chose: raise it with a catalogue code.
    YamlError keeps an English fallback beside its `yaml.<code>` key, which is what people read."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in PACKAGE.rglob("*.py")}
    errors = crm_error_classes(trees.values()) - {"YamlError"}
    literal = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
                name = getattr(call.func, "id", getattr(call.func, "attr", None))
                if name in errors and call.args and isinstance(call.args[0], (ast.Constant, ast.JoinedStr)):
                    literal.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert literal == []


def test_a_git_failure_is_worded_in_the_chosen_language():
    """A failed git command is worded from the catalogue in either language (its output filled in)."""
    from crmctl.team.repo import GitError

    err = GitError(code="git.failed", command="git merge", output="CONFLICT")
    assert err.text("fi") == "git merge epäonnistui: CONFLICT"
    assert err.text("en") == "git merge failed: CONFLICT"
