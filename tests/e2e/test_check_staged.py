"""`crmctl check --staged` and the pre-commit hook: the index's versions are checked, not the working tree's."""

import pytest

from crmctl.checks.store_check import check_store
from crmctl.store.store import Store
from git_store import crmctl, git, git_env, status

pytestmark = pytest.mark.slow  # git commits run the hook: crmctl in a new process

GENERAL = "customers/CUST-GENERAL.yaml"


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    git_env(monkeypatch)


@pytest.fixture
def shop(tmp_path):
    done = crmctl(tmp_path, "init", "shop", "--git")
    assert done.returncode == 0, done.stderr
    return tmp_path / "shop"


def _break(path):
    text = path.read_text()
    path.write_text(text.replace("kind: person", "kind: alien"))
    return text


def _kind_line(path):
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith("kind:"))


def test_the_hook_blocks_a_broken_record_naming_the_problem(shop):
    head = git(shop, "rev-parse", "HEAD").stdout
    _break(shop / GENERAL)
    line = _kind_line(shop / GENERAL)
    git(shop, "add", GENERAL)
    done = git(shop, "-c", "core.quotepath=off", "commit", "-m", "broken", check=False)
    assert done.returncode == 1
    assert f"{GENERAL}:{line}: error: invalid: kind (" in done.stderr
    assert git(shop, "rev-parse", "HEAD").stdout == head


def test_a_fixed_working_tree_does_not_hide_a_broken_index(shop):
    good = _break(shop / GENERAL)
    line = _kind_line(shop / GENERAL)
    git(shop, "add", GENERAL)
    (shop / GENERAL).write_text(good)
    staged = crmctl(shop, "--lang", "en", "check", "--staged")
    assert staged.returncode == 1
    assert staged.stdout == (f"{GENERAL}:{line}: error: invalid: kind (Customer kind): 'alien' is not an allowed "
                             "value; allowed: person, business\n")
    assert staged.stderr == "1 error(s), 0 warning(s)\n"
    assert crmctl(shop, "check").returncode == 0  # the working tree is fine
    assert git(shop, "commit", "-qm", "broken", check=False).returncode == 1


def test_a_good_index_passes_whatever_the_working_tree_holds(shop):
    path = shop / GENERAL
    path.write_text(path.read_text().replace("name: _Asiakaspalvelun yleisasiakas", "name: Yleisasiakas"))
    git(shop, "add", GENERAL)
    _break(path)
    assert crmctl(shop, "check").returncode == 1
    staged = crmctl(shop, "--lang", "en", "check", "--staged")
    assert (staged.returncode, staged.stdout, staged.stderr) == (0, "", "0 error(s), 0 warning(s)\n")
    done = git(shop, "commit", "-qm", "renamed", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "name: Yleisasiakas" in git(shop, "show", f"HEAD:{GENERAL}").stdout
    assert status(shop) == f" M {GENERAL}\n"


def test_staged_configuration_is_checked_too(shop):
    path = shop / "crmctl.yaml"
    path.write_text(path.read_text().replace("timezone: Europe/Helsinki", "timezone: Mars/Olympus"))
    git(shop, "add", "crmctl.yaml")
    path.write_text(path.read_text().replace("timezone: Mars/Olympus", "timezone: Europe/Helsinki"))
    staged = crmctl(shop, "--lang", "en", "check", "--staged")
    assert staged.returncode == 1
    assert "crmctl.yaml:3: error: settings: " in staged.stdout


def test_a_store_in_a_subfolder_is_checked_from_the_top(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    assert crmctl(tmp_path, "init", "records", "--git").returncode == 0
    _break(tmp_path / "records" / GENERAL)
    git(tmp_path, "add", "-A")
    done = git(tmp_path, "commit", "-m", "broken", check=False)
    assert done.returncode == 1
    assert f"records/{GENERAL}:" in done.stderr


def test_check_reads_given_contents_instead_of_the_disk(shop):
    files = {shop / path: (shop / path).read_bytes()
             for path in git(shop, "ls-files").stdout.splitlines()}
    files[shop / GENERAL] = files[shop / GENERAL].replace(b"kind: person", b"kind: alien")
    findings = check_store(Store(shop, files=files))
    assert [(f.path.endswith(GENERAL), f.code) for f in findings] == [(True, "invalid")]
    assert check_store(Store(shop)) == []  # the disk was never changed


def test_the_hook_reads_only_what_the_commit_changes_unless_the_configuration_changes(shop):
    _break(shop / GENERAL)
    git(shop, "add", GENERAL)
    git(shop, "commit", "-qm", "broken on purpose", "--no-verify")
    (shop / "notes.txt").write_text("not a record\n")
    path = shop / "users.yaml"
    git(shop, "add", "notes.txt")
    assert git(shop, "commit", "-qm", "notes", check=False).returncode == 0  # the broken record is not in it
    path.write_text("{}\n# the users\n")
    git(shop, "add", "users.yaml")
    done = git(shop, "commit", "-qm", "users", check=False)  # a configuration change: every record is checked
    assert done.returncode == 1
    assert f"{GENERAL}:" in done.stderr
    assert crmctl(shop, "check", "--changed").returncode == 2
