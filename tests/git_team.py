"""A team sharing one store through git, for tests: a bare remote and clones, each set up for the installed crmctl
(as `crmctl git setup` does), each running crmctl as its own process with its own user and clock."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crmctl.cli import cli
from crmctl.kernel import yamlio
from crmctl.team.setup import setup_clone
from git_store import crmctl, crmctl_program, git, make_repository

NOW = "2011-01-25T10:00:00+02:00"


def at(clock, day=25):
    return f"2011-01-{day:02d}T{clock}:00+02:00"


class Clone:
    """One person's clone: `run(*args)` runs crmctl in it as that person (`user`) at `now`."""

    def __init__(self, path, user, now=NOW):
        self.path, self.user, self.now = Path(path), user, now

    def run(self, *args, now=None, user=None, lang="en", env=None):
        extra = {"CRMCTL_USER": user or self.user, "CRMCTL_NOW": now or self.now, **(env or {})}
        return crmctl(self.path, "--lang", lang, *args, env=extra)

    def ok(self, *args, **kwargs):
        done = self.run(*args, **kwargs)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def record(self, record_id):
        return next(self.path.glob(f"*/**/{record_id}.yaml")).read_bytes()

    def data(self, record_id):
        """The record as its file holds it (read here, not by a crmctl process: the tests start enough of those)."""
        return yamlio.load(self.record(record_id).decode("utf-8"))

    def head(self):
        return git(self.path, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="session")
def team_template(tmp_path_factory, peopled_store_template):
    """A store with the demo people committed (auto-commit on) and pushed to a bare remote; built once."""
    base = tmp_path_factory.mktemp("team")
    shop = base / "shop"
    shutil.copytree(peopled_store_template, shop)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {"GIT_AUTHOR_NAME": "Test Person", "GIT_AUTHOR_EMAIL": "test@example.fi",
                           "GIT_COMMITTER_NAME": "Test Person", "GIT_COMMITTER_EMAIL": "test@example.fi"}.items():
            patch.setenv(key, value)
        (shop / ".gitattributes").write_text("".join(
            f"{folder}/**/*.yaml merge=crmctl\n" for folder in
            ("account-requests", "customers", "leads", "sales-projects", "service-requests")), encoding="utf-8")
        (shop / ".gitignore").write_text(".*.tmp\n.cache/\n", encoding="utf-8")
        patch.setenv("CRMCTL_NOW", NOW)
        made = CliRunner().invoke(cli, ["--root", str(shop), "--as", "mette.murto", "sr", "new", "title=Laskussa virhe",
                                        "customer=CUST-GENERAL", "person_name=Matti", "subject=billing",
                                        "phone=040 1234567"])
        assert made.exit_code == 0, made.stderr
        project = CliRunner().invoke(cli, ["--root", str(shop), "--as", "jussi.myyja", "project", "new",
                                           "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                                           "title=Liittymä Karhulantie 6"])
        assert project.exit_code == 0, project.stderr
        make_repository(shop)
        git(base, "clone", "-q", "--bare", "shop", "remote.git")
    return base / "remote.git", made.stdout.strip(), project.stdout.strip()


def make_team(tmp_path, template, users=("mette.murto", "taija.halme")):
    """A copy of the template's remote and one set-up clone per user: (remote path, [Clone]). The template's
    remote holds one service request (`template[1]`), made by mette.murto at NOW, and one gas connection project
    of jussi.myyja (`template[2]`)."""
    remote = tmp_path / "remote.git"
    shutil.copytree(template[0], remote)
    clones = []
    for user in users:
        path = tmp_path / user
        git(tmp_path, "clone", "-q", str(remote), str(path))
        setup_clone(path, crmctl_program())  # what `crmctl git setup` does, without a process of its own
        clones.append(Clone(path, user))
    return remote, clones
