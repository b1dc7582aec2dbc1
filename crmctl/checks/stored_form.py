"""Stored values that today's validators would write differently (`stored-form` warnings of `check`).

A record written before a validator changed (the hand-written phone rule before phonenumbers stored
`020 123456` as `+358 2 012 3456`) still loads and still validates: the new rule reads the old form as the
same number. It is only not what a `set` would store now, so `check` says so as a warning, not an error,
and setting the field again rewrites it.
"""

from crmctl.engine.rules import FieldError
from crmctl.kernel.i18n import t
from crmctl.kernel.validators import reduced

# Field types whose stored form comes from a validator in kernel/validators.py.
FORMATTED = ("phone", "email", "business_id", "personal_id", "postal_code")


def stored_form_problems(engine, rtype, record):
    """(dotted key, message) for each formatted value that is stored in another form than it would be written."""
    return [(key, f"{key} ({engine.label_of(rtype, key)}): {message}")
            for key, message in _walk(engine, rtype.fields, record, "")]


def _walk(engine, fields, values, prefix):
    if not isinstance(values, dict):
        return
    for key, field in fields.items():
        value = values.get(key)
        if value is None:
            continue
        if field.type == "object" and field.fields:
            yield from _walk(engine, field.fields, value, f"{prefix}{key}.")
        elif field.type in FORMATTED and isinstance(value, str):
            try:
                written = engine.convert(field, value)
            except FieldError:
                continue  # an invalid value is validation's error, reported once
            if reduced(field.type):
                continue  # checked by the basic rule (a package missing): what the library would write is unknown
            if written is not None and written != value:
                yield f"{prefix}{key}", t("check.stored-form", engine.lang, stored=value, written=written)
