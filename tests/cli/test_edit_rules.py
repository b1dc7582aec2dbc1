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
    assert result.stderr == ("Error: the record breaks these rules:\n"
                             "  status_reason (Status reason): use `crmctl sr status`\n")
    assert snapshot(store.root) == before
    assert store.get(record_id)["status_reason"] == "cancelled"


def test_an_edit_cannot_move_a_status_even_for_an_admin(run, store, monkeypatch):
    """The status moves only by its verb, which applies the move's rules (reason, role, cleared fields)."""
    created = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                  "title=Maakaasuliittymä Gunnarintie 5", "value=12000")
    project_id = created.stdout.strip()
    assert run("project", "close", project_id, "--lost", "reason=Kaukolämpö").exit_code == 0
    monkeypatch.setenv("EDITOR", "sed -i 's/^status: .*/status: open/'")
    before = snapshot(store.root)
    result = run("project", "edit", project_id)  # mette.murto is an admin
    assert result.exit_code == 1
    assert "`crmctl project status`" in result.stderr
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
    result = run("sr", "edit", record_id, "--lang", "en")
    assert (result.exit_code, result.stdout) == (1, "")
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"Error: {record_id} was changed by someone else while you edited it; nothing saved; "
                            "your edited text is in ")
    kept = Path(first.rsplit(" ", 1)[1])
    assert "title: Muokattu" in kept.read_text(encoding="utf-8")
    record = store.get(record_id)
    assert (record["priority"], record["title"]) == ("high", "Laskussa virhe")  # the other change stands
    kept.unlink()


def test_a_plain_edit_still_saves_and_leaves_no_file(run, store, monkeypatch, tmp_path):
    record_id = new_request(run)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("EDITOR", "sed -i 's/^title: .*/title: Muokattu/'")
    result = run("sr", "edit", record_id)
    assert result.exit_code == 0, result.stderr
    assert store.get(record_id)["title"] == "Muokattu"
    assert list(tmp_path.glob("*.yaml")) == []
