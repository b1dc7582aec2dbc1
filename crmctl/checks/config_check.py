"""`check` of the people and settings in the configuration: users, regions, SLA targets, time zone, calendar.

A supervisor who does not exist sends escalations to nobody, a region's default owner who cannot
take the work routes leads to nobody, a misspelt SLA key never matches: each is a finding at the
file and line where it is written.
"""

import importlib.util
import os
import re
from pathlib import Path

from crmctl.kernel.clock import Clock
from crmctl.kernel.i18n import t
from crmctl.kernel.workdays import Calendar
from crmctl.store.store import CACHE_DIR

SLA_TARGET_KEYS = {"when", "working_days"}
GIT_COMMIT_VALUES = ("auto", "off")  # `git: {commit: ...}` in crmctl.yaml
SLA_SETTINGS = {"stalled_after_working_days"}  # top-level numbers in sla.yaml that are not a record type


class Lines:
    """The lines of one configuration file, to find where a top-level entry's key is written."""

    def __init__(self, path, files=None):
        try:
            raw = files[Path(path)] if files is not None else Path(path).read_bytes()
            self.lines = raw.decode("utf-8", errors="replace").splitlines()
        except (OSError, KeyError):
            self.lines = []

    def of(self, top, key=None, nth=0):
        """1-based line of `top:` at the left margin, or of its `key:` below it (the nth one), or 1."""
        start = next((n for n, row in enumerate(self.lines) if re.match(rf"^{re.escape(str(top))}\s*:", row)), None)
        if start is None:
            return 1
        if key is None:
            return start + 1
        seen = 0
        for number in range(start + 1, len(self.lines)):
            row = self.lines[number]
            if row and not row[0].isspace() and not row.startswith("#"):
                break  # the next top-level entry
            if re.match(rf"^[\s-]+{re.escape(str(key))}\s*:", row):
                if seen == nth:
                    return number + 1
                seen += 1
        return start + 1


def check_people_and_settings(store, shown, lang="en"):
    """Findings as (path shown, line, code, message) tuples, all errors."""
    config, files = store.config, store.files
    users, regions = store.root / "users.yaml", store.root / "regions.yaml"
    sla, settings = store.root / "config" / "sla.yaml", store.root / "crmctl.yaml"
    return (_users(config, shown(users), Lines(users, files), lang)
            + _regions(config, shown(regions), Lines(regions, files), lang)
            + _sla(config, shown(sla), Lines(sla, files), lang)
            + _settings(config, shown(settings), Lines(settings, files), lang, KnownCalendars(store.root / CACHE_DIR)))


def _users(config, where, lines, lang):
    found, owners_of_email = [], {}
    for handle, user in config.users.items():
        if not isinstance(user, dict):
            found.append((where, lines.of(handle), "user", t("check.user-not-mapping", lang, user=handle)))
            continue
        supervisor = user.get("supervisor")
        if supervisor is not None and (not isinstance(supervisor, str) or supervisor not in config.users):
            found.append((where, lines.of(handle, "supervisor"), "supervisor",
                          t("check.user-supervisor", lang, user=handle, supervisor=supervisor)))
        email = user.get("email")
        if not isinstance(email, str) or not email.strip() or re.search(r"[\x00-\x1f\x7f]", email):
            found.append((where, lines.of(handle, "email"), "email", t("check.user-email", lang, user=handle)))
            continue
        key = email.strip().lower()
        if key in owners_of_email:  # the git-email identity of a user must be one user
            found.append((where, lines.of(handle, "email"), "duplicate-email",
                          t("check.user-email-duplicate", lang, user=handle, email=email, other=owners_of_email[key])))
        owners_of_email.setdefault(key, handle)
    return found


def _regions(config, where, lines, lang):
    found = []
    for key, region in config.regions.items():
        owners = region.get("owners") if isinstance(region, dict) else None
        if not isinstance(owners, dict):
            continue
        for nth, (role, handle) in enumerate(owners.items()):
            if handle in (None, ""):
                continue
            user = config.users.get(handle) if isinstance(handle, str) else None
            if not isinstance(user, dict):
                problem = "check.region-owner-unknown"
            elif user.get("active") is False:
                problem = "check.region-owner-inactive"
            elif role not in (user.get("roles") or []):
                problem = "check.region-owner-role"
            else:
                continue
            found.append((where, lines.of(key, role), "region-owner",
                          t(problem, lang, region=key, role=role, user=handle)))
    return found


def _sla(config, where, lines, lang):
    found = []
    for key, targets in config.sla.items():
        if key in SLA_SETTINGS:
            if not _number(targets):
                found.append((where, lines.of(key), "sla", t("check.sla-number", lang, key=key, value=targets)))
            continue
        if key not in config.types:
            found.append((where, lines.of(key), "sla", t("check.sla-unknown-type", lang, key=key)))
            continue
        if not isinstance(targets, list):
            found.append((where, lines.of(key), "sla", t("check.sla-not-list", lang, key=key)))
            continue
        for index, target in enumerate(targets):
            if not isinstance(target, dict):
                found.append((where, lines.of(key), "sla", t("check.sla-not-list", lang, key=key)))
                continue
            for unknown in sorted(set(target) - SLA_TARGET_KEYS, key=str):
                found.append((where, lines.of(key, unknown), "sla",
                              t("check.sla-unknown-key", lang, key=f"{key}[{index}]", unknown=unknown)))
            if not _number(target.get("working_days")):
                found.append((where, lines.of(key, "working_days", _nth_days(targets, index)), "sla",
                              t("check.sla-number", lang, key=f"{key}[{index}].working_days",
                                value=target.get("working_days"))))
    return found


def _nth_days(targets, index):
    return sum(1 for target in targets[:index] if isinstance(target, dict) and "working_days" in target)


def _number(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _settings(config, where, lines, lang, known=None):
    found = []
    zone = config.settings.get("timezone", "Europe/Helsinki")
    try:
        if not isinstance(zone, str):
            raise ValueError
        Clock(zone)
    except (KeyError, ValueError, OSError):  # zoneinfo: unknown key KeyError, malformed ValueError
        found.append((where, lines.of("timezone"), "settings", t("check.settings-timezone", lang, zone=zone)))
    country = config.settings.get("calendar", "FI")
    try:
        if not isinstance(country, str):
            raise ValueError
        if known is None or not known.holds(country):
            Calendar(country)
            if known is not None:
                known.remember(country)
    except ValueError:
        found.append((where, lines.of("calendar"), "settings", t("check.settings-calendar", lang, country=country)))
    found += _git_settings(config.settings.get("git"), where, lines, lang)
    return found


def _git_settings(value, where, lines, lang):
    """`git: {commit: auto|off}`: a misspelt value would silently leave every change uncommitted."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [(where, lines.of("git"), "settings", t("check.settings-git", lang, key="git", value=value))]
    found = []
    for key, item in value.items():
        if key != "commit" or item not in GIT_COMMIT_VALUES:
            found.append((where, lines.of("git", key), "settings",
                          t("check.settings-git", lang, key=f"git.{key}", value=item)))
    return found


class KnownCalendars:
    """The calendar names found valid before, in `.cache/calendars.known`, each with the stat of the `holidays`
    package's registry that said so: asking the package imports it, 20-40 ms of a warm `check` of 200. Derived
    data: a missing or unreadable file only means asking the package again."""

    NAME = "calendars.known"

    def __init__(self, folder):
        self.path = os.path.join(str(folder), self.NAME)
        self.stamp = self.entries = None

    def holds(self, country):
        return self._stamp() is not None and self._entries().get(country) == self._stamp()

    def remember(self, country):
        stamp = self._stamp()
        if stamp is None or not os.path.isdir(os.path.dirname(self.path)):
            return  # no cache folder (yet): the scan of the records makes it
        entries = {**self._entries(), country: stamp}
        temporary = f"{self.path}.{os.getpid()}"
        try:
            with open(temporary, "w", encoding="utf-8") as out:
                out.write("".join(f"{name}\t{value}\n" for name, value in sorted(entries.items())))
            os.replace(temporary, self.path)  # whole or not at all, whoever reads it meanwhile
        except OSError:
            pass  # a read-only store: asked again next time

    def _stamp(self):
        if self.stamp is None:
            try:
                spec = importlib.util.find_spec("holidays")  # finds the package without importing it
                registry = os.stat(os.path.join(os.path.dirname(spec.origin), "registry.py"))
                self.stamp = f"{spec.origin}:{registry.st_mtime_ns}:{registry.st_size}"
            except (AttributeError, TypeError, ValueError, OSError, ImportError):
                self.stamp = ""
        return self.stamp or None

    def _entries(self):
        if self.entries is None:
            try:
                with open(self.path, encoding="utf-8") as found:
                    self.entries = dict(line.rstrip("\n").split("\t", 1) for line in found if "\t" in line)
            except (OSError, UnicodeDecodeError):
                self.entries = {}
        return self.entries
