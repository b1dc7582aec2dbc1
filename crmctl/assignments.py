"""Assignments: who must look at a record, and whether they have acknowledged it.

They live on the record itself (`assignments:`), so handing work over and
recording it is one atomic write.
"""


def assign(record, user, reason, by, at, **extra):
    """Give `record` to `user`; returns the new assignment."""
    item = {"user": user, "reason": reason, "by": by, "at": at, **extra}
    record.setdefault("assignments", []).append(item)
    return item


def pending(record, user=None):
    """Unacknowledged assignments, of one user or of anyone."""
    return [a for a in record.get("assignments") or []
            if not a.get("acknowledged") and (user is None or a.get("user") == user)]


def acknowledge(record, user, at):
    """Mark `user`'s open assignments on `record` acknowledged; True if there were any."""
    mine = pending(record, user) if user else []
    for item in mine:
        item["acknowledged"] = at
    return bool(mine)
