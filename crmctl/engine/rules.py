"""The generic rule engine: converts field values and validates records against the configuration."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from crmctl.kernel import ids
from crmctl.kernel import validators
from crmctl.config.model import SYSTEM_KEYS, label
from crmctl.kernel.i18n import t, translate
from crmctl.kernel.registry import registry

DEFAULT_MAX_LENGTH = {"line": 500, "text": 20000}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # every control character but tab and line feed
_TRUE = {"true", "yes", "y", "1", "kyllä", "k", "on"}
_FALSE = {"false", "no", "n", "0", "ei", "e", "off"}
_FORMAT_VALIDATORS = {
    "phone": validators.phone,
    "email": validators.email,
    "business_id": validators.business_id,
    "personal_id": validators.personal_id,
    "postal_code": validators.postal_code,
}


class FieldError(ValueError):
    """A value a field cannot take; the message is already in the user's language."""


@dataclass
class Problem:
    """One broken rule of one field."""

    key: str
    label: str
    level: str  # "error" or "warning"
    code: str
    message: str

    @property
    def text(self):
        return f"{self.key} ({self.label}): {self.message}"


def is_empty(value):
    return value is None or value == "" or value == [] or value == {}


def get_path(record, path):
    """The value at a dotted key, or None."""
    current = record
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


class Engine:
    """Field rules of one store, in one language, for one acting user."""

    def __init__(self, store, lang="fi", actor=None):
        self.store = store
        self.config = store.config
        self.lang = lang
        self.actor = actor
        self.problems = []  # problems found while applying input, reported with validation's
        self._unique = {}
        self.evaluators = {}  # type key -> the Evaluator of its `when:` rules
        self._existing = {}  # ids known to exist

    def label_of(self, rtype, key):
        field = rtype.field_at(key)
        return label(field.label, self.lang) if field else key

    # -- converting input --------------------------------------------------

    def convert(self, field, value):
        """The stored form of `value` for `field`; raises FieldError in the user's language."""
        if isinstance(value, str) and field.type not in ("text",):
            value = value.strip()
        if is_empty(value):
            return None
        convert = getattr(self, f"_convert_{field.type}", None)
        if convert is not None:
            return convert(field, value)
        if field.type in _FORMAT_VALIDATORS:
            text = self._plain_text(field, value)
            try:
                return _FORMAT_VALIDATORS[field.type](text)
            except ValueError as err:
                raise FieldError(t("invalid", self.lang, reason=translate(str(err), self.lang))) from None
        raise FieldError(t("config.unsupported_field_type", self.lang, type=field.type))

    def _plain_text(self, field, value, multiline=False):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise FieldError(t("not_text", self.lang))
        text = str(value)
        limit = field.get("max_length", DEFAULT_MAX_LENGTH.get(field.type, 500))
        if len(text) > limit:
            raise FieldError(t("too_long", self.lang, max=limit))
        if not multiline and ("\n" in text or "\r" in text):
            raise FieldError(t("one_line", self.lang))
        if multiline and "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
        if _CONTROL.search(text):
            raise FieldError(t("control_chars", self.lang))
        return text

    def _convert_line(self, field, value):
        return self._plain_text(field, value)

    def _convert_text(self, field, value):
        text = self._plain_text(field, value, multiline=True)
        return text if text.strip() else None

    def _convert_enum(self, field, value):
        for allowed in field.values:
            if value == allowed.key and type(value) is type(allowed.key):
                return allowed.key
        wanted = str(value).strip().casefold()
        for allowed in field.values:
            names = [str(allowed.key)] + [str(v) for v in allowed.label.values() if v]
            if wanted in (name.casefold() for name in names):
                return allowed.key
        choices = ", ".join(str(v.key) for v in field.values)
        raise FieldError(t("not_allowed", self.lang, value=value, allowed=choices))

    def _convert_integer(self, field, value):
        if isinstance(value, bool):
            raise FieldError(t("not_integer", self.lang))
        if isinstance(value, str):
            if not re.fullmatch(r"[+-]?\d{1,18}", value.replace(" ", "")):
                raise FieldError(t("not_integer", self.lang))
            value = int(value.replace(" ", ""))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise FieldError(t("not_integer", self.lang))
        return self._in_range(field, value)

    def _convert_number(self, field, value):
        if isinstance(value, bool):
            raise FieldError(t("not_number", self.lang))
        if isinstance(value, str):
            text = value.replace(" ", "").replace(",", ".")
            if not re.fullmatch(r"[+-]?\d{1,15}(\.\d{1,6})?", text):
                raise FieldError(t("not_number", self.lang))
            value = float(text)
        if not isinstance(value, (int, float)) or value != value:
            raise FieldError(t("not_number", self.lang))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self._in_range(field, value)

    def _in_range(self, field, value):
        if field.get("min") is not None and value < field.get("min"):
            raise FieldError(t("below_min", self.lang, min=field.get("min")))
        if field.get("max") is not None and value > field.get("max"):
            raise FieldError(t("above_max", self.lang, max=field.get("max")))
        return value

    def _convert_boolean(self, field, value):
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise FieldError(t("not_boolean", self.lang))

    def _convert_date(self, field, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if value == "today":
            return self.store.today()
        if isinstance(value, str) and _DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise FieldError(t("not_date", self.lang))

    def _convert_timestamp(self, field, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value
        if isinstance(value, str) and len(value) < 40:
            try:
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is not None:
                    return moment
            except ValueError:
                pass
        raise FieldError(t("not_timestamp", self.lang))

    def _convert_ref(self, field, value):
        text = self._plain_text(field, value).upper()
        target = self.config.types.get(field.ref)
        if not ids.ID_PREFIX.match(text):
            raise FieldError(t("not_id", self.lang, value=value))
        if target is not None and ids.prefix_of(text) != target.prefix:
            raise FieldError(t("wrong_ref", self.lang, what=target.prefix))
        if ids.is_valid(text) and self._exists(text):
            return text
        try:
            return self.store.resolve(text, target)
        except Exception:
            raise FieldError(t("missing_ref", self.lang, value=text)) from None

    def expect(self, record_id):
        """Take `record_id` as existing: a whole store imported type by type has references both ways (a
        request to its lead, the lead back to it), so a reference may come in before its record."""
        self._existing[record_id] = True

    def remember(self, rtype, record):
        """A record just saved joins the unique-value indexes this engine built (one engine checks many rows)."""
        for (type_key, key), index in self._unique.items():
            if type_key == rtype.key and record.get(key) is not None:
                index.setdefault(record.get(key), []).append(record["id"])

    def _exists(self, record_id):
        """Whether a record exists, asked of the store once per id and engine (`check` asks thousands of times)."""
        if record_id in self._existing:
            return True
        if self.store.exists(record_id):
            self._existing[record_id] = True  # records are never deleted; a missing one may be created later
            return True
        return False

    def _convert_user(self, field, value):
        handle = self._plain_text(field, value)
        if handle == "me" and self.actor:
            handle = self.actor
        if handle not in self.config.users:
            for key, user in self.config.users.items():
                if handle.casefold() in (str(user.get("email", "")).casefold(), str(user.get("name", "")).casefold()):
                    return key
            raise FieldError(t("unknown_user", self.lang, value=handle))
        return handle

    def _convert_region(self, field, value):
        key = self._plain_text(field, value)
        if key not in self.config.regions:
            for region_key, region in self.config.regions.items():
                if key.casefold() == str(region.get("name", "")).casefold():
                    return region_key
            raise FieldError(t("unknown_region", self.lang, value=key))
        return key

    def _convert_object(self, field, value):
        if not isinstance(value, dict):
            raise FieldError(t("not_object", self.lang))
        result = {}
        for sub_key, sub_field in field.fields.items():
            if sub_key in value:
                converted = self.convert(sub_field, value[sub_key])
                if converted is not None:
                    result[sub_key] = converted
        unknown = [k for k in value if k not in field.fields]
        if unknown:
            raise FieldError(f"{t('unknown_field', self.lang)}: {', '.join(map(str, unknown))}")
        return result or None

    def _convert_list(self, field, value):
        if not isinstance(value, list):
            raise FieldError(t("not_list", self.lang))
        items = [self.convert(field.item, item) for item in value]
        return [item for item in items if item is not None] or None

    # -- validating whole records -----------------------------------------

    def validate(self, rtype, record):
        """Every problem of a record: errors and warnings, in field order."""
        problems = []
        for key in record:
            if key != "id" and key not in rtype.fields and key not in SYSTEM_KEYS:
                problems.append(self._problem(rtype, key, "error", "unknown_field", t("unknown_field", self.lang)))
        for key, field in rtype.fields.items():
            value = record.get(key)
            if is_empty(value):
                if field.level == "required":
                    problems.append(self._problem(rtype, key, "error", "required", t("required", self.lang)))
                elif field.level == "recommended":
                    problems.append(self._problem(rtype, key, "warning", "recommended", t("recommended", self.lang)))
                continue
            try:
                stored = self.convert(field, value)
            except FieldError as err:
                problems.append(self._problem(rtype, key, "error", "invalid", str(err)))
                continue
            problems += self._date_rules(rtype, field, record, stored)
            problems += self._unique_rule(rtype, field, record, stored)
        for rule in registry().record_rules:  # `when:` rules, read by the filters of engine.query
            problems += rule(self, rtype, record)
        return problems

    def _problem(self, rtype, key, level, code, message):
        return Problem(key, self.label_of(rtype, key), level, code, message)

    def _date_rules(self, rtype, field, record, value):
        problems = []
        if field.type != "date":
            return problems
        if field.get("not_future") and value > self.store.today():
            problems.append(self._problem(rtype, field.key, "error", "future", t("in_future", self.lang)))
        other_key = field.get("not_before")
        other = record.get(other_key) if other_key else None
        if isinstance(other, date) and value < other:
            problems.append(self._problem(rtype, field.key, "error", "date-order",
                                          t("before", self.lang, other=self.label_of(rtype, other_key))))
        return problems

    def _unique_rule(self, rtype, field, record, value):
        if not field.get("unique"):
            return []
        index = self._unique.get((rtype.key, field.key))
        if index is None:
            index = {}
            for other in self.store.records(rtype):
                index.setdefault(other.get(field.key), []).append(other.get("id"))
            self._unique[(rtype.key, field.key)] = index
        holders = [i for i in index.get(value, []) if i != record.get("id")]
        if holders:
            return [self._problem(rtype, field.key, "error", "duplicate", t("duplicate", self.lang, other=holders[0]))]
        return []
