"""Auto-commit (`git: {commit: auto}`, cli.md "Git"): each writing command commits exactly the files it wrote,
by the acting user, with the command words, the record id and a summary as the subject."""

import pytest

from conftest import new_request
from git_store import git, git_env, make_repository, status, subjects


@pytest.fixture
def repo(store, monkeypatch):
    git_env(monkeypatch)
    return make_repository(store.root)


def _author(root, rev="HEAD"):
    return git(root, "log", "-1", "--format=%an <%ae>|%cn <%ce>", rev).stdout.strip()


def _files(root, rev="HEAD"):
    return git(root, "show", "--name-only", "--format=", rev).stdout.splitlines()


def test_new_commits_the_record_as_the_acting_user(repo, run, store):
    record_id = new_request(run)
    assert subjects(repo)[0] == f"sr new {record_id}: Laskussa virhe"
    user = store.config.users["mette.murto"]
    assert _author(repo) == f"{user['name']} <{user['email']}>|{user['name']} <{user['email']}>"
    assert _files(repo) == [f"service-requests/2011/01/{record_id}.yaml"]
    assert status(repo) == ""


def test_set_status_and_delegate_subjects(repo, run):
    record_id = new_request(run)
    assert run("sr", "set", record_id, "priority=high").exit_code == 0
    assert subjects(repo)[0] == f"sr set {record_id}: priority normal → high"
    assert run("sr", "delegate", record_id, "taija.halme").exit_code == 0
    assert subjects(repo)[0] == f"sr delegate {record_id}: → taija.halme"
    assert status(repo) == ""


def test_a_status_move_names_both_statuses(repo, run, store):
    record_id = new_request(run)
    before = store.get(record_id)["status_reason"]
    done = run("sr", "status", record_id, "done", "resolution=Korjattu.")
    assert done.exit_code == 0, done.stderr
    assert subjects(repo)[0] == f"sr status {record_id}: {before} → done"


def test_the_users_other_staged_change_stays_staged_and_uncommitted(repo, run):
    (repo / "notes.txt").write_text("mine\n")
    git(repo, "add", "notes.txt")
    (repo / "untracked.txt").write_text("also mine\n")
    record_id = new_request(run)
    assert _files(repo) == [f"service-requests/2011/01/{record_id}.yaml"]
    assert status(repo) == "A  notes.txt\n?? untracked.txt\n"


def test_configuration_writes_are_committed_too(repo, run):
    done = run("--as", "mette.murto", "user", "set", "taija.halme", "initials=th")
    assert done.exit_code == 0, done.stderr
    assert subjects(repo)[0] == "user set taija.halme: users.yaml"
    assert _files(repo) == ["users.yaml"]


def test_a_failed_command_commits_nothing(repo, run):
    head = git(repo, "rev-parse", "HEAD").stdout
    done = run("sr", "new", "title=Puuttuu aihe", "customer=CUST-GENERAL")
    assert done.exit_code == 1
    assert git(repo, "rev-parse", "HEAD").stdout == head
    assert status(repo) == ""


def test_a_command_that_writes_nothing_commits_nothing(repo, run):
    record_id = new_request(run)
    head = git(repo, "rev-parse", "HEAD").stdout
    assert run("sr", "set", record_id, "priority=normal").exit_code == 0
    assert run("sr", "list").exit_code == 0
    assert git(repo, "rev-parse", "HEAD").stdout == head


def test_confidential_values_are_masked_in_the_subject(repo, run):
    done = run("customer", "new", "name=Maija Mallikas", "kind=person", "personal_id=131052-308T")
    assert done.exit_code == 0, done.stderr
    record_id = done.stdout.strip()
    assert run("customer", "set", record_id, "personal_id=010101-123N").exit_code == 0
    subject = subjects(repo)[0]
    assert subject.startswith(f"customer set {record_id}: personal_id ")
    assert "131052-308T" not in subject and "010101-123N" not in subject


def test_off_or_missing_setting_commits_nothing(store, run, monkeypatch):
    git_env(monkeypatch)
    make_repository(store.root, auto=False)
    new_request(run)
    assert len(subjects(store.root)) == 1
    assert status(store.root).startswith("?? service-requests/")


def test_auto_outside_git_is_a_warning(store, run):
    with open(store.root / "crmctl.yaml", "a", encoding="utf-8") as handle:
        handle.write("git:\n  commit: auto\n")
    result = run("--lang", "en", "sr", "new", "title=Laskussa virhe", "customer=CUST-GENERAL",
                 "person_name=Matti Meikäläinen", "subject=billing", "phone=040 1234567")
    assert result.exit_code == 0
    assert result.stderr.endswith(" is not inside a git repository: nothing was committed\n")
    assert "Warning: auto-commit is on (git.commit: auto) but " in result.stderr


def test_check_reports_a_wrong_git_setting(store, run):
    with open(store.root / "crmctl.yaml", "a", encoding="utf-8") as handle:
        handle.write("git:\n  commit: always\n")
    result = run("--lang", "en", "check")
    assert result.exit_code == 1
    assert "crmctl.yaml:6: error: settings: git.commit: 'always' is not a git setting (git.commit: auto or off)\n" \
        in result.stdout


def test_the_rebuilt_tree_is_the_tree_git_add_would_make(repo, run, store):
    """Only the trees on the way to the written files are rebuilt (team/trees.py): new folders, replaced files
    and removed files give the same tree as the index would."""
    from crmctl.team.autocommit import repository_state
    from crmctl.team.trees import rebuilt_tree

    record_id = new_request(run)
    written = [f"service-requests/2011/01/{record_id}.yaml", "customers/CUST-GENERAL.yaml", "deep/new/folder/x.txt",
               "users.yaml"]
    (repo / "deep" / "new" / "folder").mkdir(parents=True)
    (repo / "deep" / "new" / "folder" / "x.txt").write_text("x\n")
    (repo / "customers" / "CUST-GENERAL.yaml").unlink()
    (repo / "users.yaml").write_text((repo / "users.yaml").read_text() + "# changed\n")
    state = repository_state(repo)
    made = rebuilt_tree(repo, state["tree"], written, state["format"])
    git(repo, "add", "-A", "--", *written)
    assert made == git(repo, "write-tree").stdout.strip()


def test_nothing_is_committed_in_the_middle_of_a_merge(repo, run):
    """`crmctl resolve` writes a record during a merge: the merge commit (`crmctl sync`) takes it, not a commit of
    its own that would move HEAD under the merge."""
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    (repo / ".git" / "MERGE_HEAD").write_text(head + "\n")
    new_request(run)
    assert git(repo, "rev-parse", "HEAD").stdout.strip() == head


@pytest.mark.slow
def test_writers_in_parallel_each_commit_their_own_file(repo, run):
    """Several crmctl processes writing at once: every commit lands on the HEAD the previous one left."""
    import subprocess

    from git_store import crmctl_program

    ids = [new_request(run) for _ in range(8)]
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    program = crmctl_program()
    processes = [subprocess.Popen([program, "--root", str(repo), "sr", "set", record_id, "priority=high"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for record_id in ids]
    assert [process.wait() for process in processes] == [0] * len(ids)
    made = git(repo, "log", "--format=%s", f"{head}..HEAD").stdout.splitlines()
    assert sorted(made) == sorted(f"sr set {record_id}: priority normal → high" for record_id in ids)
    assert status(repo) == ""
