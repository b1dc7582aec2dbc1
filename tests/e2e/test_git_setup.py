"""`crmctl init --git` and `crmctl git setup` (cli.md, "Git"), with real git and the installed crmctl."""

import json
import os
import stat

import pytest

from git_store import crmctl, crmctl_program, git, git_env, status

pytestmark = pytest.mark.slow  # starts crmctl and git in new processes

ROUTES = ("account-requests/**/*.yaml merge=crmctl\ncustomers/**/*.yaml merge=crmctl\nleads/**/*.yaml merge=crmctl\n"
          "sales-projects/**/*.yaml merge=crmctl\nservice-requests/**/*.yaml merge=crmctl\n")


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    git_env(monkeypatch)


def _hook(repo):
    return repo / ".git" / "hooks" / "pre-commit"


def test_init_git_makes_a_repository_sets_it_up_and_commits_the_store(tmp_path):
    done = crmctl(tmp_path, "--lang", "en", "init", "shop", "--git")
    assert done.returncode == 0, done.stderr
    shop = tmp_path / "shop"
    assert (shop / ".gitattributes").read_text() == ROUTES
    assert (shop / ".gitignore").read_text().splitlines() == [".*.tmp", ".cache/"]
    assert "git:\n  commit: auto" in (shop / "crmctl.yaml").read_text()
    program = os.path.realpath(crmctl_program())
    assert git(shop, "config", "merge.crmctl.driver").stdout == f"{program} git merge-file %O %A %B %P\n"
    assert git(shop, "config", "merge.crmctl.name").stdout.strip()
    assert git(shop, "config", "core.splitIndex").stdout == "true\n"
    hook = _hook(shop)
    assert hook.read_text().splitlines()[-1] == f"exec {program} --root . check --staged --changed"
    assert hook.stat().st_mode & stat.S_IXUSR
    assert git(shop, "log", "--format=%an <%ae>|%s").stdout == "Test Person <test@example.fi>|init: new crmctl store\n"
    committed = git(shop, "ls-files").stdout.splitlines()
    assert {".gitattributes", ".gitignore", "crmctl.yaml", "users.yaml", "customers/CUST-GENERAL.yaml"} <= set(committed)
    assert not [path for path in committed if path.startswith(".cache")]
    assert status(shop) == ""
    assert git(shop, "check-attr", "merge", "service-requests/2011/01/SR-20110125-AAAAA.yaml").stdout.endswith(
        ": merge: crmctl\n")


def test_setup_twice_changes_nothing(tmp_path):
    assert crmctl(tmp_path, "init", "shop", "--git").returncode == 0
    shop = tmp_path / "shop"
    before = {p: p.read_bytes() for p in [shop / ".git" / "config", _hook(shop), shop / ".gitattributes",
                                          shop / ".gitignore", shop / "crmctl.yaml"]}
    again = crmctl(shop, "--lang", "en", "git", "setup")
    assert (again.returncode, again.stderr) == (0, "this clone is already set up: nothing changed\n")
    assert {p: p.read_bytes() for p in before} == before
    assert status(shop) == ""


def test_a_clone_runs_setup_once(tmp_path):
    assert crmctl(tmp_path, "init", "shop", "--git").returncode == 0
    git(tmp_path, "clone", "-q", "shop", "clone")
    clone = tmp_path / "clone"
    assert git(clone, "config", "merge.crmctl.driver", check=False).returncode == 1  # git clones no config
    done = crmctl(clone, "--lang", "en", "git", "setup")
    assert done.returncode == 0, done.stderr
    assert "merge.crmctl.driver" in done.stderr
    assert git(clone, "config", "merge.crmctl.driver").stdout.endswith(" git merge-file %O %A %B %P\n")
    assert _hook(clone).read_text() == _hook(tmp_path / "shop").read_text()
    assert status(clone) == ""


def test_store_in_a_subfolder_of_an_existing_repository(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README").write_text("mine\n")
    git(tmp_path, "add", "README")  # the user's staged change stays staged and uncommitted
    done = crmctl(tmp_path, "init", "records", "--git")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "records" / ".git").exists()
    assert _hook(tmp_path).read_text().splitlines()[-1].endswith(" --root records check --staged --changed")
    assert git(tmp_path, "ls-tree", "-r", "--name-only", "HEAD").stdout.splitlines()[0].startswith("records/")
    assert "README" not in git(tmp_path, "ls-tree", "-r", "--name-only", "HEAD").stdout
    assert status(tmp_path) == "A  README\n"


def test_a_foreign_hook_is_never_overwritten(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    hook = _hook(tmp_path)
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\nexit 0\n")
    done = crmctl(tmp_path, "--lang", "en", "init", "records", "--git")
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: {hook} is a pre-commit hook crmctl did not write; it is left as it is.")
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"
    assert not (tmp_path / "records").exists()  # refused before anything was created


def test_a_clones_own_split_index_choice_is_kept(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "core.splitIndex", "false")
    assert crmctl(tmp_path, "init", "records", "--git").returncode == 0
    assert git(tmp_path, "config", "core.splitIndex").stdout == "false\n"


def test_core_hooks_path_is_honoured(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "core.hooksPath", "team-hooks")
    assert crmctl(tmp_path, "init", "records", "--git").returncode == 0
    assert (tmp_path / "team-hooks" / "pre-commit").read_text().endswith(" --root records check --staged --changed\n")
    assert not _hook(tmp_path).exists()


def test_two_clones_set_up_merge_edits_of_one_record_field_by_field(tmp_path):
    """The driver `git setup` registers is what git runs: edits of different fields of one record merge cleanly."""
    assert crmctl(tmp_path, "init", "shop", "--git").returncode == 0
    shop = tmp_path / "shop"
    env = {"CRMCTL_NOW": "2011-01-25T10:00:00+02:00", "CRMCTL_USER": "anna"}
    for args in (("region", "add", "south", "name=Etelä"),
                 ("user", "add", "anna", "name=Anna Aalto", "email=anna@example.fi", "roles=admin,customer_service",
                  "region=south"),
                 ("user", "add", "ben", "name=Ben Berg", "email=ben@example.fi", "roles=customer_service",
                  "region=south")):
        done = crmctl(shop, *args, env=env)
        assert done.returncode == 0, done.stderr
    made = crmctl(shop, "sr", "new", "title=Lasku", "customer=CUST-GENERAL", "person_name=Matti", "subject=billing",
                  "phone=040 1234567", env=env)
    record_id = made.stdout.strip()
    git(tmp_path, "clone", "-q", "shop", "clone")
    clone = tmp_path / "clone"
    assert crmctl(clone, "git", "setup").returncode == 0
    assert crmctl(shop, "sr", "set", record_id, "priority=high", env=env).returncode == 0
    later = {**env, "CRMCTL_NOW": "2011-01-25T11:00:00+02:00", "CRMCTL_USER": "ben"}
    assert crmctl(clone, "sr", "set", record_id, "title=Lasku väärin", env=later).returncode == 0
    assert git(clone, "log", "-1", "--format=%an|%s").stdout == f"Ben Berg|sr set {record_id}: title Lasku → Lasku väärin\n"
    pulled = git(clone, "pull", "-q", "--no-rebase", "--no-edit", check=False)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    shown = crmctl(clone, "sr", "show", record_id, "--format", "json", env=env)
    record = json.loads(shown.stdout)
    assert (record["priority"], record["title"]) == ("high", "Lasku väärin")
    assert [e["by"] for e in record["history"]] == ["anna", "anna", "ben"]
    assert status(clone) == ""
