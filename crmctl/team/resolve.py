"""`crmctl resolve`: settle the conflicts a merge left in one record file, validate it, write it, stage it.

The conflicts are the marker blocks the merge driver wrote (conflicts.py). Each is settled by a side (ours or
theirs) or by a value given as `KEY=VALUE`, converted as `set` converts it; a value given for some conflicts and
a side for the rest is allowed. The result must be a valid record: it is written canonically under the store's
lock and `git add`-ed, so the merge can be committed.
"""

from crmctl.engine.records import ordered, raise_errors
from crmctl.engine.rules import Engine, FieldError, Problem
from crmctl.kernel import yamlio
from crmctl.kernel.errors import CrmError, ValidationError, YamlError
from crmctl.kernel.i18n import t
from crmctl.team.conflicts import conflicts_in, has_markers, settle
from crmctl.team.repo import git, require_repository


def resolve(store, given, side=None, values=None, actor=None, lang="fi"):
    """Settle record `given`'s conflicts with `side` ("ours"/"theirs") and/or `values` ({dotted field: text});
    returns (record id, warnings). Nothing is written when anything is wrong."""
    values = values or {}
    record_id = store.resolve(given)
    rtype = store.type_of(record_id)
    path = store.path_of(record_id)
    text = path.read_bytes().decode("utf-8", "replace")
    if not has_markers(text):
        raise CrmError(code="resolve.no_conflict", id=record_id)
    worktree = require_repository(store.root)
    if values:
        engine = Engine(store, lang, actor)
        named = {name for name, _, _ in conflicts_in(text)}
        problems, converted = [], {}
        for key, value in values.items():
            if key not in named:
                converted[key] = value  # settle names what is wrong with it
                continue
            try:
                converted[key] = _converted(engine, rtype, key, value)
            except FieldError as err:
                problems.append(Problem(key, _label(engine, rtype, key), "error", "invalid", str(err)))
        if problems:
            raise ValidationError(problems, t("rules_broken", lang))
        text = settle(text, converted, rest=side)
    else:
        text = settle(text, side)
    record = _record(text, record_id, store.display_path(path))
    record = ordered(rtype, record)
    warnings = raise_errors(Engine(store, lang, actor).validate(rtype, record), lang)
    with store.lock():
        store.save(record)
    git(worktree, "add", "--", str(path))
    return record_id, warnings


def _field_of(rtype, key):
    """The field definition a conflict path (`site.address`, `stages.offer.owner`) leads to, or None (a part of
    an assignment or an event, which have no definition)."""
    parts = key.split(".")
    current = rtype.fields.get(parts[0])
    skip = False
    for part in parts[1:]:
        if current is None:
            return None
        if current.type == "list" and not skip:
            current, skip = current.item, True  # this part names the item (a stage's key)
            continue
        skip = False
        current = (current.fields or {}).get(part)
    return current


def _label(engine, rtype, key):
    return engine.label_of(rtype, key) if key in rtype.fields else key


def _converted(engine, rtype, key, value):
    """A `KEY=VALUE` text as the field's value (as `set` converts it); an empty text clears the field (None)."""
    if value == "":
        return None
    field = _field_of(rtype, key)
    if field is None:
        try:
            return yamlio.load(value)  # an assignment's date or time, written as YAML writes it
        except YamlError:
            return value
    return engine.convert(field, value)


def _record(text, record_id, shown_path):
    try:
        data = yamlio.load(text)
    except YamlError as err:
        raise CrmError(code="resolve.not_a_record", path=shown_path, problem=err.both()) from None
    if not isinstance(data, dict) or data.get("id") != record_id:
        raise CrmError(code="resolve.not_a_record", path=shown_path, problem=record_id)
    return data
