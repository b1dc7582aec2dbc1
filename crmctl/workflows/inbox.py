"""A user's inbox: unacknowledged assignments on records of every type, and acknowledging them."""

from crmctl.engine.assignments import acknowledge, pending
from crmctl.kernel.errors import AlreadyHolds, CrmError
from crmctl.kernel.i18n import has, t
from crmctl.engine.wording import cell
from crmctl.workflows.projects import stage_label
from crmctl.engine.records import change, event



def reason_label(reason, lang):
    """`delegated` -> Delegoitu (workflows add `reason_<key>` messages for their own reasons);
    a reason nobody translated shows as its key."""
    key = f"reason_{reason}"
    return t(key, lang) if has(key) else str(reason)


def note_of(config, item, lang):
    """What an assignment says beside its reason: the note someone wrote, else one made in `lang`
    from its data (workflows add `note_<reason>` messages: a stage's name, a due date)."""
    if item.get("note"):
        return item["note"]
    key = f"note_{item.get('reason')}"
    if not has(key) or not item.get("due"):
        return None
    stage = stage_label(config, item["stage"], lang) if item.get("stage") else ""
    return t(key, lang, due=item["due"], stage=stage)


def title_of(rtype, record, lang):
    """The record's title as people read it (an enum title shows its label)."""
    return cell(rtype, rtype.title_field, record.get(rtype.title_field), lang)


def items(store, user, lang="fi"):
    """The user's unacknowledged assignments, oldest first: dicts with the record and the assignment
    (`what`: the reason as people read it)."""
    found = []
    for rtype, record in store.all_records():
        for item in pending(record, user):
            found.append({"id": record["id"], "type": rtype.key, "title": title_of(rtype, record, lang),
                          "reason": item.get("reason"), "what": reason_label(item.get("reason"), lang),
                          "by": item.get("by"), "at": item.get("at"),
                          "note": note_of(store.config, item, lang)})
    return sorted(found, key=lambda i: (str(i["at"]), i["id"]))


def ack(store, record_id, actor, lang="fi"):
    """Acknowledge the actor's open assignments on a record (an `acknowledged` history event)."""

    def mutate(record, engine):
        if not acknowledge(record, actor, store.now()):
            if any(item.get("user") == actor and item.get("acknowledged") for item in record.get("assignments") or []):
                raise AlreadyHolds(code="ack.already_holds", user=actor, id=record_id)
            raise CrmError(code="nothing_to_ack", user=actor, id=record_id)
        return [event(store, actor, "acknowledged")]

    record, _, _ = change(store, record_id, actor, lang, mutate)
    return record
