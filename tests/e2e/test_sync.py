"""`crmctl sync` between clones of one store (cli.md, "Git"): a bare remote, two or three clones, real git and
the installed crmctl in its own process for every command, as a team runs it."""

import json
import threading

import pytest

from git_store import git, git_env, status
from git_team import at, make_team, team_template  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow  # git and crmctl in new processes


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    git_env(monkeypatch)


@pytest.fixture
def team(tmp_path, team_template):
    return make_team(tmp_path, team_template)


def new_request(clone, *extra, now=None):
    made = clone.ok("sr", "new", "title=Laskussa virhe", "customer=CUST-GENERAL", "person_name=Matti",
                    "subject=billing", "phone=040 1234567", *extra, now=now)
    return made.stdout.strip()


@pytest.fixture
def shared_request(team_template):
    """The request every clone has from the start."""
    return team_template[1]


def shown(clone, record_id):
    return clone.data(record_id)


def both_synced(first, second):
    """first syncs (pushes), second syncs (merges and pushes), first syncs again (takes the merge)."""
    first.ok("sync")
    second.ok("sync")
    first.ok("sync")


def test_different_fields_of_one_record_merge_in_both_clones(team, shared_request):
    _, (mette, taija) = team
    record_id = shared_request
    mette.ok("sr", "set", record_id, "priority=high", now=at("10:30"))
    taija.ok("sr", "set", record_id, "title=Lasku väärin", now=at("10:20"))
    first = mette.ok("sync")
    assert first.stderr == "pushed to origin/main\n"
    second = taija.ok("sync")
    assert second.stderr == "commits merged from origin/main: 1\npushed to origin/main\n"
    assert mette.ok("sync").stderr == "commits merged from origin/main: 2\n"
    assert mette.record(record_id) == taija.record(record_id)
    record = shown(mette, record_id)
    assert (record["priority"], record["title"]) == ("high", "Lasku väärin")
    assert [e["at"] for e in record["history"]] == sorted(e["at"] for e in record["history"])
    assert [e["by"] for e in record["history"]][-2:] == ["taija.halme", "mette.murto"]
    assert mette.head() == taija.head()
    assert status(mette.path) == status(taija.path) == ""
    merge = git(taija.path, "log", "-1", "--format=%an|%s|%P").stdout.split("|")
    assert merge[:2] == ["Taija Halme", "sync: merge origin/main"] and len(merge[2].split()) == 2


def test_the_same_field_conflicts_until_resolved(team, shared_request):
    _, (mette, taija) = team
    record_id = shared_request
    mette.ok("sr", "set", record_id, "priority=high", now=at("10:30"))
    taija.ok("sr", "set", record_id, "priority=low", now=at("10:40"))
    mette.ok("sync")
    stopped = taija.run("sync")
    assert stopped.returncode == 1
    assert stopped.stderr == (f"{record_id} priority: low → high\n"
                              "Error: conflicts left (1): settle each record with `crmctl resolve ID --ours|--theirs|"
                              "KEY=VALUE...`, then run `crmctl sync` again\n")
    again = taija.run("sync")  # nothing settled yet: the same list, the same exit
    assert (again.returncode, again.stderr) == (1, stopped.stderr)
    taija.ok("resolve", record_id, "--theirs")
    finished = taija.ok("sync")
    assert finished.stderr == "conflicts settled: merge committed\npushed to origin/main\n"
    mette.ok("sync")
    assert mette.record(record_id) == taija.record(record_id)
    assert shown(mette, record_id)["priority"] == "high"
    assert status(mette.path) == status(taija.path) == ""


def test_new_records_delegate_against_set_and_a_stage_completion_against_another_field(team, team_template):
    _, (mette, taija) = team
    record_id, project_id = team_template[1:]
    mine = new_request(mette, now=at("11:00"))
    theirs = new_request(taija, now=at("11:05"))
    mette.ok("sr", "delegate", record_id, "taija.halme", now=at("11:10"))
    taija.ok("sr", "set", record_id, "priority=high", now=at("11:15"))
    mette.ok("project", "stage", "complete", project_id, user="jussi.myyja", now=at("10:30"))
    taija.ok("project", "set", project_id, "value=56500", user="jussi.myyja", now=at("11:00"))
    both_synced(mette, taija)
    for record in (mine, theirs, record_id, project_id):
        assert mette.record(record) == taija.record(record)
    project = taija.data(project_id)
    assert project["value"] == 56500 and project["stages"][0]["status"] == "done"
    record = shown(taija, record_id)
    assert (record["owner"], record["priority"]) == ("taija.halme", "high")
    assert [a["user"] for a in record["assignments"]][-1] == "taija.halme"
    inbox = taija.ok("inbox", "--format", "json", user="taija.halme")
    assert record_id in [item["id"] for item in json.loads(inbox.stdout)]
    taija.ok("check")


def test_no_remote_and_no_upstream_are_clear_errors(tmp_path, team):
    _, (mette, _) = team
    git(mette.path, "remote", "remove", "origin")
    alone = mette.run("sync")
    assert alone.returncode == 1
    assert alone.stderr.startswith("Error: the store's repository has no remote to share it through")
    git(mette.path, "remote", "add", "origin", str(tmp_path / "remote.git"))
    lost = mette.run("sync")
    assert (lost.returncode, lost.stderr) == (1, "Error: branch main does not track a remote branch yet: name the "
                                                 "remote once, `crmctl sync REMOTE` (remotes: origin)\n")
    named = mette.ok("sync", "origin")
    assert named.stderr == "in step with origin/main: nothing to do\n"
    assert mette.ok("sync").stderr == "in step with origin/main: nothing to do\n"  # the first sync set the upstream
    unknown = mette.run("sync", "elsewhere")
    assert (unknown.returncode, unknown.stderr) == (1, "Error: no remote named elsewhere (remotes: origin)\n")
    git(mette.path, "remote", "set-url", "origin", str(tmp_path / "nowhere.git"))
    away = mette.run("sync")
    assert away.returncode == 1 and away.stderr.startswith("Error: git fetch origin failed: ")


def test_pending_changes_are_committed_by_the_acting_user_but_never_conflict_markers(team, shared_request):
    _, (mette, taija) = team
    users = mette.path / "users.yaml"
    users.write_text(users.read_text(encoding="utf-8").replace("Sanna Salo", "Sanna Salo-Aho"), encoding="utf-8")
    assert mette.ok("sync").stderr == "changed store files committed: 1\npushed to origin/main\n"
    assert git(mette.path, "log", "-1", "--format=%an|%s").stdout == "Mette Murto|sync: 1 changed files\n"
    taija.ok("sync")
    assert "Sanna Salo-Aho" in (taija.path / "users.yaml").read_text(encoding="utf-8")
    path = next(taija.path.glob(f"*/**/{shared_request}.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("priority: normal\n", "<<<<<<< ours\npriority: normal\n"
                                                            "=======\npriority: high\n>>>>>>> theirs\n"))
    head = taija.head()
    refused = taija.run("sync")
    relative = path.relative_to(taija.path).as_posix()
    assert (refused.returncode, refused.stderr) == (1, f"Error: {relative} holds conflict markers (<<<<<<< ======= "
                                                       ">>>>>>>): edit the file to keep the right lines before syncing\n")
    assert taija.head() == head


def test_clones_syncing_at_the_same_moment_both_get_through(team):
    _, clones = team
    made = [new_request(clone, now=at(f"1{n}:00")) for n, clone in enumerate(clones)]
    results = [None] * len(clones)

    def go(n):
        results[n] = clones[n].run("sync")

    threads = [threading.Thread(target=go, args=(n,)) for n in range(len(clones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    for clone in clones:
        clone.ok("sync")
    assert len({clone.head() for clone in clones}) == 1
    for record_id in made:
        assert len({clone.record(record_id) for clone in clones}) == 1


def test_a_push_that_loses_the_race_fetches_merges_and_pushes_again(tmp_path, team, shared_request):
    """Another clone pushes between our fetch and our push (a pre-push hook makes it happen, once)."""
    _, (mette, taija) = team
    record_id = shared_request
    taija.ok("sr", "set", record_id, "priority=high", now=at("10:30"))
    mette.ok("sr", "set", record_id, "title=Lasku väärin", now=at("10:20"))
    hook = taija.path / ".git" / "hooks" / "pre-push"
    flag = tmp_path / "raced"
    hook.write_text(f"#!/bin/sh\n[ -e {flag} ] && exit 0\ntouch {flag}\ncd {mette.path} && git push -q origin main\n")
    hook.chmod(0o755)
    done = taija.ok("sync")
    assert done.stderr == ("origin/main moved on while pushing: fetched and merged again (1x)\n"
                           "commits merged from origin/main: 1\npushed to origin/main\n")
    mette.ok("sync")
    assert mette.record(record_id) == taija.record(record_id)
    record = shown(mette, record_id)
    assert (record["priority"], record["title"]) == ("high", "Lasku väärin")



def test_a_file_that_is_not_merged_field_by_field_is_settled_by_editing_it(team):
    _, (mette, taija) = team
    for clone, name in ((mette, "Sanna Salo-Aho"), (taija, "Sanna Aho")):
        users = clone.path / "users.yaml"
        users.write_text(users.read_text(encoding="utf-8").replace("Sanna Salo", name), encoding="utf-8")
    mette.ok("sync")
    stopped = taija.run("sync")
    assert stopped.returncode == 1
    assert stopped.stderr.splitlines()[0] == (
        "users.yaml: changed on both sides and not merged field by field: edit the file (keep the right lines, remove "
        "the <<<<<<< ======= >>>>>>> markers), then run `crmctl sync` again")
    users = taija.path / "users.yaml"
    text = users.read_text(encoding="utf-8")
    start, end = text.index("<<<<<<<"), text.index(">>>>>>>")
    users.write_text(text[:start] + "  name: Sanna Salo-Aho\n" + text[text.index("\n", end) + 1:], encoding="utf-8")
    assert taija.ok("sync").stderr == "conflicts settled: merge committed\npushed to origin/main\n"
    mette.ok("sync")
    assert (mette.path / "users.yaml").read_bytes() == users.read_bytes()
    assert "name: Sanna Salo-Aho\n" in users.read_text(encoding="utf-8")
    assert status(taija.path) == ""
