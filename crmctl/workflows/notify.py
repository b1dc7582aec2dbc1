"""Email notifications: one email per assignment not yet notified, on records of every type.

The email is written in the language the caller chose (the store's by default)
from the templates `email/assignment_subject.<lang>.txt` and `email/assignment_body.<lang>.txt`
(a store may override them in its own `templates/`). A successful send is
recorded on the assignment (`notified: <time>`, `notified_to: <address>`)
with a `notified` history event, so re-running sends nothing twice; a
failed send leaves the assignment pending for the next run. The store lock
is held only while claiming the batch and recording each send, never during
the SMTP conversation; a claim keeps two runs in parallel from both sending.
Assignments already acknowledged, or handed over by a delegation, need no
reminder and are not emailed.
Each send is recorded right after the server accepted it; only a crash
between the two could send one email twice (at least once, never lost).
In a store shared through git, team/once.py uses `claim` (mark first),
`send_claimed` and `release` (unmark what failed) instead: the claim is
pushed before sending, so clones never both send one email.
"""

import copy
from dataclasses import dataclass, field
from functools import lru_cache

from crmctl.engine.assignments import is_open
from crmctl.config.model import label
from crmctl.kernel.errors import UsageError
from crmctl.kernel.i18n import t
from crmctl.workflows.inbox import note_of, reason_label, title_of
from crmctl.engine.wording import cell
from crmctl.engine.query import Evaluator
from crmctl.engine.records import change, event

# SMTP line endings, and headers folded only past RFC 5322's 998-character line limit:
# Python's folder, folding at 78, can move a space across the fold between encoded
# words, so a long subject with non-ASCII characters parsed back as `5  –Maakaasu...`.
# Unfolded, subjects round-trip exactly. (The email and smtplib modules load when a command sends: start-up stays
# fast for every other command.)
@lru_cache(maxsize=None)
def smtp_policy():
    import email.policy

    return email.policy.SMTP.clone(max_line_length=998)

# Fields worth putting in an email when the record's type has them (in this order).
KEY_FIELDS = ("customer", "person_name", "phone", "email", "subject", "topic", "type", "owner",
              "status_reason", "status", "priority", "severity", "received", "region")


@dataclass
class Outgoing:
    record_id: str
    index: int  # position of the assignment in the record's `assignments`
    user: str
    address: str
    message: object  # an email.message.EmailMessage (email is imported only when composing)
    error: str = None
    extra: dict = field(default_factory=dict)


def parse_server(text):
    """`HOST:PORT` -> (host, port); a usage error otherwise."""
    host, sep, port = (text or "").rpartition(":")
    if not sep or not host or not port.isdigit():
        raise UsageError(code="notify.bad_server", text=text)
    return host, int(port)


def outstanding(store):
    """(rtype, record, index, assignment) for every unacknowledged, not yet notified assignment."""
    found = []
    for rtype, record in store.all_records():
        for index, item in enumerate(record.get("assignments") or []):
            if is_open(item) and not item.get("notified"):
                found.append((rtype, record, index, item))
    return sorted(found, key=lambda f: (str(f[3].get("at")), f[1]["id"], f[2]))


def key_fields(store, rtype, record, lang):
    """(label, text) pairs of the record's key fields, then its due date when it has one."""
    pairs = []
    for key in KEY_FIELDS:
        if key in rtype.fields and record.get(key) not in (None, "", [], {}):
            pairs.append((label(rtype.fields[key].label, lang), cell(rtype, key, record[key], lang)))
    due = Evaluator(store, rtype, lang=lang).value(record, "due")
    if due is not None and "due" not in rtype.fields:
        pairs.append((t("derived.due", lang), due.isoformat()))
    return pairs


def compose(store, rtype, record, item, sender, templates, lang):
    """The email for one assignment, in `lang` (`templates`: the Jinja environment)."""
    from email.message import EmailMessage
    from email.utils import format_datetime, formataddr
    users = store.config.users
    user = users.get(item["user"]) or {}
    by = users.get(item.get("by")) or {}
    at = item.get("at")
    context = {
        "id": record["id"],
        "type_label": label(rtype.label, lang),
        "title": title_of(rtype, record, lang),
        "reason": reason_label(item.get("reason"), lang),
        "reason_key": item.get("reason"),
        "note": note_of(store.config, item, lang) or "",
        "user_name": user.get("name") or item["user"],
        "by_name": by.get("name") or item.get("by") or "",
        "owner_name": (users.get(item.get("owner")) or {}).get("name") or item.get("owner") or "",
        "at": at.strftime("%Y-%m-%d %H:%M") if hasattr(at, "strftime") else str(at or ""),
        "fields": key_fields(store, rtype, record, lang),
        "description": record.get("description") or "",
        "ack_command": f"crmctl ack {record['id']}",
        "company": store.config.settings.get("name") or "",
    }
    message = EmailMessage(policy=smtp_policy())
    message["From"] = sender
    message["To"] = formataddr((str(user.get("name") or ""), str(user.get("email") or "")))
    subject = templates.get_template(f"email/assignment_subject.{lang}.txt").render(**context)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(store.now())
    message.set_content(templates.get_template(f"email/assignment_body.{lang}.txt").render(**context))
    return message


def _server_answer(err):
    import smtplib

    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in err.recipients.items())
    if isinstance(err, smtplib.SMTPResponseException):
        return f"{err.smtp_code} {_text(err.smtp_error)}"
    return str(err) or type(err).__name__


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def notify(store, actor, server=None, sender=None, dry_run=False, lang="fi"):
    """Email every outstanding assignment; returns the Outgoing list (`error` set on those that failed).

    The lock is held only to claim the batch and to record each send, never while talking to the server: an
    unresponsive server must not stop every writer of the store. A claim keeps a parallel run from sending the
    same email; it ends with the run (or with its process).
    """
    import smtplib

    from crmctl.kernel.templates import environment

    with store.lock():
        claimed = live_claims(store)
        batch = []
        templates = environment(store.root)  # one environment for the batch: templates parsed once
        for rtype, record, index, item in outstanding(store):
            if claim_key(record["id"], index, item) in claimed:
                continue  # another run is sending it now
            address = str((store.config.users.get(item["user"]) or {}).get("email") or "")
            batch.append(Outgoing(record["id"], index, item["user"], address,
                                  compose(store, rtype, record, item, sender, templates, lang), extra={"item": item}))
        if dry_run or not batch:
            return batch
        keys = [claim_key(out.record_id, out.index, out.extra["item"]) for out in batch]
        write_claims(store, {**claimed, **{key: this_process() for key in keys}})
    try:
        _send(store, batch, server, actor, lang, smtplib)
    finally:
        with store.lock():
            claims = live_claims(store)
            write_claims(store, {key: owner for key, owner in claims.items() if key not in keys})
    return batch


def _send(store, batch, server, actor, lang, smtplib, record=True):
    """Send the batch (outside the lock), recording each accepted email at once (under the lock) unless the
    batch was claimed (recorded) before sending."""
    host, port = server
    try:
        smtp = smtplib.SMTP(host, port, timeout=30)
    except (OSError, smtplib.SMTPException) as err:
        for out in batch:
            out.error = f"{host}:{port}: {_server_answer(err)}"
        return
    try:
        for out in batch:
            if not out.address:
                out.error = f"{out.user} has no email address"
                continue
            try:
                smtp.send_message(out.message)
            except (OSError, smtplib.SMTPException) as err:
                out.error = _server_answer(err)
                continue
            if record:
                _record(store, out, actor, lang)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass


# -- claimed before sending: a store shared through git (team/once.py commits and pushes the claim) -----------


def claim(store, actor, sender, lang="fi"):
    """Compose the email of every outstanding assignment and mark each one notified, as if already sent: the
    claim a clone pushes before sending, so that no other clone sends it too. The Outgoing list."""
    from crmctl.kernel.templates import environment

    with store.lock():
        templates = environment(store.root)
        batch = []
        for rtype, record, index, item in outstanding(store):
            address = str((store.config.users.get(item["user"]) or {}).get("email") or "")
            batch.append(Outgoing(record["id"], index, item["user"], address,
                                  compose(store, rtype, record, item, sender, templates, lang), extra={"item": item}))
        with store.transaction():
            for out in batch:
                _record(store, out, actor, lang)
    return batch


def send_claimed(store, batch, server, actor, lang="fi"):
    """Send a claimed batch (nothing more is recorded); the failures have `error` set."""
    import smtplib

    if batch:
        _send(store, batch, server, actor, lang, smtplib, record=False)
    return batch


def release(store, failed, lang="fi"):
    """Take back the claim of each email that could not be sent (its `notified` mark and the event the claim
    added), so the next run sends it."""
    from crmctl.engine.records import ordered, raise_errors
    from crmctl.engine.rules import Engine

    with store.lock(), store.transaction():
        for record_id in dict.fromkeys(out.record_id for out in failed):
            rtype = store.type_of(record_id)
            record = copy.deepcopy(store.get(record_id))
            for out in (o for o in failed if o.record_id == record_id):
                _unmark(record, out)
            record = ordered(rtype, record)
            raise_errors(Engine(store, lang, None).validate(rtype, record), lang)
            store.save(record)


def _unmark(record, out):
    wanted = out.extra["item"]
    items = record.get("assignments") or []
    item = items[out.index] if out.index < len(items) else None
    if item is None or item.get("user") != wanted.get("user") or item.get("at") != wanted.get("at"):
        return
    when = item.pop("notified", None)
    item.pop("notified_to", None)
    history = record.get("history") or []
    for position in range(len(history) - 1, -1, -1):
        entry = history[position]
        if entry.get("event") == "notified" and entry.get("to") == out.user and entry.get("at") == when:
            del history[position]
            break


# -- claims: which assignments a running notify is sending (derived data: deleting it only risks a duplicate) --

CLAIMS_FILE = "notify-claims.json"


def claim_key(record_id, index, item):
    return f"{record_id}#{index}#{item.get('user')}#{item.get('at')}"


def this_process():
    import os
    import socket

    import time

    return {"host": socket.gethostname(), "pid": os.getpid(), "at": int(time.time())}


def live_claims(store):
    """The claims of runs still alive (read under the lock)."""
    import json

    path = store.cache_dir / CLAIMS_FILE
    try:
        claims = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(claims, dict):
        return {}
    return {key: owner for key, owner in claims.items() if _alive(owner)}


def write_claims(store, claims):
    import json

    store.write_cache_file(CLAIMS_FILE, json.dumps(claims, sort_keys=True).encode("utf-8"))


def _alive(owner):
    """Whether the process that claimed is still running (a claim from another host, which cannot be asked,
    for an hour: far longer than a batch takes)."""
    import os
    import socket
    import time

    if not isinstance(owner, dict) or not isinstance(owner.get("pid"), int):
        return False
    if owner.get("host") != socket.gethostname():
        return isinstance(owner.get("at"), int) and time.time() - owner["at"] < 3600
    try:
        os.kill(owner["pid"], 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def _record(store, out, actor, lang):
    """Mark the assignment notified (bookkeeping: acknowledges nothing)."""
    wanted = out.extra["item"]

    def mutate(record, engine):
        items = record.get("assignments") or []
        item = items[out.index] if out.index < len(items) else None
        if item is None or item.get("user") != wanted.get("user") or item.get("at") != wanted.get("at"):
            return []
        item["notified"] = store.now()
        item["notified_to"] = out.address
        return [event(store, actor, "notified", to=out.user, email=out.address, reason=wanted.get("reason"))]

    change(store, out.record_id, actor, lang, mutate, acknowledges=False)
