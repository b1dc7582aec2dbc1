"""Stored values as text for people: enum labels, ISO dates, joined objects.

Below the workflows, so an inbox line or an email can word a value the
same way a list or `show` does (`present.display` builds on it).
"""

from datetime import date, datetime

from crmctl.kernel.i18n import t

from crmctl.config.model import label


def cell(rtype, key, value, lang):
    """A value as text for people: enum labels, ISO dates, joined objects."""
    field = rtype.field_at(key)
    return display(field, value, lang)


def display(field, value, lang):
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return t("value.yes" if value else "value.no", lang)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if field is not None and field.type == "enum":
        found = field.value(value)
        return label(found.label, lang) if found else str(value)
    if isinstance(value, dict):
        subfields = (field.fields or {}) if field is not None else {}
        return ", ".join(display(subfields.get(k), v, lang) for k, v in value.items() if v not in (None, ""))
    if isinstance(value, list):
        item = field.item if field is not None else None
        if item is not None and item.type == "object":
            return f"({len(value)})"
        return ", ".join(display(item, v, lang) for v in value)
    return str(value)
