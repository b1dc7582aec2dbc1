"""Assignments: who must look at a record, and whether they have acknowledged it.

They live on the record itself (`assignments:`), so handing work over and
recording it is one atomic write.
"""


def assign(record, user, reason, by, at, **extra):
    """Give `record` to `user`; returns the new assignment."""
    item = {"user": user, "reason": reason, "by": by, "at": at, **extra}
    record.setdefault("assignments", []).append(item)
    return item


def is_open(item):
    """True while the assignment waits for its user: neither acknowledged, handed over nor closed."""
    return not item.get("acknowledged") and not item.get("handed_over") and not item.get("closed")


def pending(record, user=None):
    """Open assignments, of one user or of anyone."""
    return [a for a in record.get("assignments") or []
            if is_open(a) and (user is None or a.get("user") == user)]


def acknowledge(record, user, at):
    """Mark `user`'s open assignments on `record` acknowledged; True if there were any."""
    mine = pending(record, user) if user else []
    for item in mine:
        item["acknowledged"] = at
    return bool(mine)


def hand_over(record, user, to_user, at):
    """Close `user`'s open assignments on `record` because the work went to `to_user`
    (`handed_over: <time>`, `handed_over_to: <user>`); returns how many were closed."""
    mine = pending(record, user) if user else []
    for item in mine:
        item["handed_over"] = at
        item["handed_over_to"] = to_user
    return len(mine)


def close(items, by, at):
    """Close open assignments whose work someone else finished (`closed: <time>`, `closed_by: <user>`):
    they leave the inbox, the views and notify; returns how many were closed."""
    shut = [item for item in items if is_open(item)]
    for item in shut:
        item["closed"] = at
        item["closed_by"] = by
    return len(shut)
