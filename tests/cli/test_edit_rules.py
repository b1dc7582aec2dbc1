"""`edit` goes through the rules of the verbs and never saves over a change made since it read the
record (issue 11, item 4)."""

import sys
from pathlib import Path

from conftest import new_request, snapshot

EDIT_STATUS = "sed -i 's/^status_reason: .*/status_reason: in_progress/'"


def test_a_non_admin_cannot_reopen_a_cancelled_request_by_edit(run, store, monkeypatch):
    record_id = new_request(run)
    assert run("sr", "status", record_id, "cancelled", "reason=Tuplakirjaus").exit_code == 0
    monkeypatch.setenv("EDITOR", EDIT_STATUS)
    before = snapshot(store.root)
    result = run("sr", "edit", record_id, "--as", "taija.halme", "--lang", "en")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: cancelled → in_progress needs the admin role\n"  # as `sr status` says
    assert snapshot(store.root) == before
    assert store.get(record_id)["status_reason"] == "cancelled"


def test_an_admin_cannot_reopen_a_lost_project_by_edit_without_the_moves_reason(run, store, monkeypatch):
    """The edit's move has the rules of `project status`: lost → open needs a reason, which an edit cannot give."""
    created = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                  "title=Maakaasuliittymä Gunnarintie 5", "value=12000")
    project_id = created.stdout.strip()
    assert run("project", "close", project_id, "--lost", "reason=Kaukolämpö").exit_code == 0
    monkeypatch.setenv("EDITOR", "sed -i 's/^status: .*/status: open/'")
    before = snapshot(store.root)
    result = run("project", "edit", project_id, "--lang", "en")  # mette.murto is an admin
    assert (result.exit_code, result.stderr) == (1, "Error: lost → open needs a reason (reason=...)\n")
    assert snapshot(store.root) == before
    record = store.get(project_id)
    assert (record["status"], record["lost_reason"]) == ("lost", "Kaukolämpö") and record["closed"]


def test_edit_refuses_to_save_over_a_change_made_since_it_read_the_record(run, store, monkeypatch, tmp_path):
    record_id = new_request(run)
    path = store.path_of(record_id)
    # The "editor" changes the title, while "someone else" sets the priority in the file meanwhile.
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        f"record = open({str(path)!r}, encoding='utf-8').read()\n"
        f"open({str(path)!r}, 'w', encoding='utf-8').write(record.replace('priority: normal', 'priority: high'))\n"
        "text = open(sys.argv[1], encoding='utf-8').read()\n"
        "open(sys.argv[1], 'w', encoding='utf-8').write(text.replace('title: Laskussa virhe', 'title: Muokattu'))\n",
        encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    others = path.read_text(encoding="utf-8").replace("priority: normal", "priority: high")
    assert others != path.read_text(encoding="utf-8")
    result = run("sr", "edit", record_id, "--lang", "en")
    assert (result.exit_code, result.stdout) == (1, "")
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"Error: {record_id} was changed by someone else while you edited it; nothing saved; "
                            "your edited text is in ")
    kept = Path(first.rsplit(" ", 1)[1])
    assert "title: Muokattu" in kept.read_text(encoding="utf-8")
    record = store.get(record_id)
    assert (record["priority"], record["title"]) == ("high", "Laskussa virhe")  # the other change stands
    assert path.read_text(encoding="utf-8") == others  # byte for byte: edit wrote nothing
    kept.unlink()


def test_a_plain_edit_still_saves_and_leaves_no_file(run, store, monkeypatch, tmp_path):
    record_id = new_request(run)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("EDITOR", "sed -i 's/^title: .*/title: Muokattu/'")
    result = run("sr", "edit", record_id)
    assert result.exit_code == 0, result.stderr
    assert store.get(record_id)["title"] == "Muokattu"
    assert list(tmp_path.glob("*.yaml")) == []


def test_an_edit_moves_a_status_as_the_status_verb_does(run, store, monkeypatch):
    record_id = new_request(run)
    monkeypatch.setenv("EDITOR", "sed -i 's/^status_reason: .*/status_reason: on_hold/; s/^title: .*/title: Odottaa/'")
    result = run("sr", "edit", record_id)
    assert result.exit_code == 0, result.stderr
    record = store.get(record_id)
    assert (record["status_reason"], record["title"]) == ("on_hold", "Odottaa")
    last = record["history"][-1]
    assert (last["event"], last["from"], last["to"]) == ("status", "in_progress", "on_hold")
    assert last["changes"]["title"] == ["Laskussa virhe", "Odottaa"]


def test_an_edit_resolving_needs_what_resolving_needs(run, store, monkeypatch):
    record_id = new_request(run)
    monkeypatch.setenv("EDITOR", "sed -i 's/^status_reason: .*/status_reason: resolved/'")
    before = snapshot(store.root)
    result = run("sr", "edit", record_id, "--lang", "en")
    assert result.exit_code == 1
    assert "  resolution (Resolution): required when status_reason = resolved" in result.stderr
    assert snapshot(store.root) == before


def test_an_edit_cannot_make_a_move_that_has_a_command_of_its_own(run, store, monkeypatch):
    created = run("lead", "new", "topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567",
                  "source=phone", "region=kotka")
    lead_id = created.stdout.strip()
    monkeypatch.setenv("EDITOR", "sed -i 's/^status: .*/status: handled/'")
    before = snapshot(store.root)
    result = run("lead", "edit", lead_id, "--lang", "en")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {lead_id}: open → handled is made with `crmctl lead handle`\n")
    assert snapshot(store.root) == before
