"""Links that must point both ways: a reference crmctl sets itself (a `system` ref field) is answered by the record
it names, when that record's type has a reference back (lead → project → lead, service request → lead → service
request). The pairs come from the record types' configuration, so a new type's links are checked without code."""

from crmctl.kernel.i18n import t


def link_pairs(config):
    """(type, field, target type, back field) for every system ref field whose target refers back."""
    pairs = []
    for rtype in config.types.values():
        for field in rtype.fields.values():
            target = config.types.get(field.ref) if field.type == "ref" else None
            if target is None or field.level != "system":
                continue
            for back in target.fields.values():
                if back.type == "ref" and back.ref == rtype.key:
                    pairs.append((rtype, field.key, target, back.key))
    return pairs


def check_links(store, lang="en", wanted=None, records=None):
    """Findings as (record id, field key, level, code, message); `wanted(record_id)` limits them to some records.
    `records(rtype)` gives a type's records (at least their ids and link fields); the store's by default.

    A system link whose target does not point back is an error (crmctl writes both in one step, so one alone is
    a half-done write or a hand edit). A link the user set whose target points back at another record is a warning:
    two records claim the same partner.
    """
    records = records or store.records
    by_id = {}
    for rtype in store.config.types.values():
        for record in records(rtype):
            by_id.setdefault(record.get("id"), record)
    findings = []
    for rtype, key, target_type, back_key in link_pairs(store.config):
        for record in records(rtype):
            record_id, target_id = record.get("id"), record.get(key)
            target = by_id.get(target_id) if isinstance(target_id, str) else None
            if target is None or (wanted is not None and not wanted(record_id)):
                continue  # a reference to no record is reported by the field's own validation
            if target.get(back_key) != record_id:
                findings.append((record_id, key, "error", "link-one-way",
                                 t("check.link-one-way", lang, id=record_id, field=key, target=target_id,
                                   back=back_key, found=target.get(back_key) or "-")))
        if target_type.fields[back_key].level == "system":
            continue  # a pair of system links: the loop above checks it from both ends
        for record in records(target_type):
            record_id, target_id = record.get("id"), record.get(back_key)
            target = by_id.get(target_id) if isinstance(target_id, str) else None
            if target is None or (wanted is not None and not wanted(record_id)):
                continue
            if target.get(key) not in (None, "", record_id):
                findings.append((record_id, back_key, "warning", "link-mismatch",
                                 t("check.link-mismatch", lang, id=record_id, field=back_key, target=target_id,
                                   back=key, found=target.get(key))))
    return findings
