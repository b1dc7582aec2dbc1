"""`crmctl log`: record events in CRM terms (who did what to which record), newest first.

The events are the records' own history. Since a revision, they are the events that the records changed after it
gained; since a date, the events from that day on, read from the records changed after the last commit before that
day (all records when there is none).
"""

import re
from datetime import date, datetime

from crmctl.kernel.errors import UsageError
from crmctl.team.diff import parse, sides

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def record_log(store, record_id=None, since=None, reveal=False):
    """[{"id", "type", "at", "by", "event", ...the event's other keys}] newest first."""
    from crmctl.present.display import mask

    day = _day(since)
    rev = since if since is not None and day is None else None
    if day is not None:
        rev = _last_commit_before(store, day)
    if rev is None:
        pairs = [(rtype, None, record) for rtype, record in store.all_records()]
    else:
        pairs = _changed_since(store, rev)
    if record_id is not None:
        pairs = [(rtype, old, new) for rtype, old, new in pairs if new.get("id") == record_id]
    found = []
    for rtype, old, new in pairs:
        shown = new if reveal else mask(rtype, new)
        before = (old or {}).get("history") or []
        for entry, raw in zip(shown.get("history") or [], new.get("history") or []):
            if raw in before or not isinstance(entry, dict):
                continue
            if day is not None and not _on_or_after(entry.get("at"), day):
                continue
            found.append({"id": new.get("id"), "type": rtype.key, **entry})
    return sorted(reversed(found), key=_newest_first)  # events of the same moment: the later one first


def _day(since):
    if since is None or not DATE.match(since):
        return None
    try:
        return date.fromisoformat(since)
    except ValueError:
        raise UsageError(code="git.bad_since", given=since) from None


def _last_commit_before(store, day):
    from crmctl.team.repo import git, require_repository

    top = require_repository(store.root)
    found = git(top, "rev-list", "-1", f"--before={day.isoformat()} 00:00:00", "HEAD", check=False).stdout.strip()
    return found or None


def _changed_since(store, rev):
    """(type, record at `rev` or None, record now) of each record changed since `rev` and still present."""
    (old_side, new_side), records = sides(store, rev, None)
    relatives = [relative for _, relative in records]
    olds, news = old_side.read(relatives), new_side.read(relatives)
    pairs = []
    for rtype, relative in records:
        new = parse(news[relative])
        if new is not None:
            pairs.append((rtype, parse(olds[relative]), new))
    return pairs


def _on_or_after(at, day):
    if isinstance(at, datetime):
        return at.date() >= day
    if isinstance(at, date):
        return at >= day
    return False


def _newest_first(entry):
    at = entry.get("at")
    return -(at.timestamp() if isinstance(at, datetime) else 0.0)
