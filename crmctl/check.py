"""`crmctl check`: every problem in the configuration and the records, with file and line."""

import re
from dataclasses import dataclass
from pathlib import Path

from . import ids, yamlio
from .config import LANGUAGES
from .errors import CrmError, YamlError
from .messages import t
from .query import DERIVED, parse_filters
from .schema import Engine

GENERAL_CUSTOMER = "CUST-GENERAL"
SYSTEM_USER = "crmctl"  # the author of records crmctl makes itself
# Extra checks workflows add: fn(store, engine, rtype, record) -> [(key, level, code, message)].
RECORD_CHECKS = []


@dataclass
class Finding:
    path: str
    line: int
    level: str
    code: str
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.level}: {self.code}: {self.message}"

    def as_dict(self):
        return {"path": self.path, "line": self.line, "level": self.level, "code": self.code, "message": self.message}


def record_check(fn):
    """Register an extra per-record check."""
    RECORD_CHECKS.append(fn)
    return fn


def key_line(text, key):
    """The 1-based line where a (dotted) key is written, or 1."""
    lines = text.splitlines()
    start, indent = 0, ""
    for depth, part in enumerate(key.split(".")):
        pattern = re.compile(rf"^{indent}{'' if depth == 0 else r'[ -]*'}{re.escape(part)}:")
        for number in range(start, len(lines)):
            if pattern.match(lines[number]):
                start = number
                break
        else:
            return start + 1
        indent = r"\s+"
    return start + 1


def check_store(store, lang="en", paths=None):
    """All findings for the store (or only for the record files in `paths`)."""
    from .records import _load_workflows

    _load_workflows()  # workflow modules register their record checks
    findings = []
    try:
        config = store.config
    except CrmError as err:
        return [_config_finding(store, err)]
    findings += check_config(store, lang)
    engine = Engine(store, lang)
    wanted = {Path(p).resolve() for p in paths} if paths else None
    seen_ids = {}
    for rtype in config.types.values():
        base = store.root / rtype.dir
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            if wanted is not None and path.resolve() not in wanted:
                continue
            findings += _check_file(store, engine, rtype, path, seen_ids)
    if wanted is None and GENERAL_CUSTOMER.split("-")[0] in {t.prefix for t in config.types.values()}:
        if not store.exists(GENERAL_CUSTOMER):
            findings.append(Finding(store.display_path(store.root / "crmctl.yaml"), 1, "error", "general-customer",
                                    t("check.general-customer", lang, id=GENERAL_CUSTOMER)))
    return findings


def _config_finding(store, err):
    text = str(err)
    match = re.match(r"^(.*?):(\d+): (.*)$", text)
    if match:
        return Finding(store.display_path(match.group(1)), int(match.group(2)), "error", "config", match.group(3))
    return Finding(store.display_path(store.root / "crmctl.yaml"), 1, "error", "config", text)


def check_config(store, lang="en"):
    """Labels in both languages, known vocabularies, filters that parse and name known keys."""
    config = store.config
    findings = []
    where = store.display_path(store.root / "config")
    for name, values in config.vocabularies.items():
        for value in values:
            for missing in LANGUAGES:
                if not value.label.get(missing):
                    findings.append(Finding(where + "/vocabularies.yaml", 1, "error", "translation",
                                            t("check.translation", lang, what=f"{name}: {value.key}", lang=missing)))
    for rtype in config.types.values():
        type_file = f"{where}/types/{rtype.key}.yaml"
        labelled = [("type", rtype.label), ("plural", rtype.plural)]
        labelled += [(f"field {f.key}", f.label) for f in _all_fields(rtype.fields.values())]
        labelled += [(f"view {v.key}", v.label) for v in rtype.views.values()]
        for what, labels in labelled:
            missing = [code for code in LANGUAGES if not (labels or {}).get(code)]
            if missing:
                findings.append(Finding(type_file, 1, "error", "translation",
                                        t("check.translation", lang, what=what, lang="/".join(missing))))
        filters = [(f"view {v.key}", v.filters) for v in rtype.views.values()]
        filters += [(f"rule {i + 1}", r.get("when") or []) for i, r in enumerate(rtype.rules)]
        for what, texts in filters:
            try:
                for flt in parse_filters(texts):
                    if rtype.field_at(flt.key) is None and flt.key not in DERIVED and flt.key != "id":
                        findings.append(Finding(type_file, 1, "error", "unknown-key",
                                                t("check.unknown-key", lang, what=what, key=flt.key)))
            except CrmError as err:
                findings.append(Finding(type_file, 1, "error", "filter", t("check.filter", lang, what=what, error=err)))
        for i, rule in enumerate(rtype.rules):
            for key in (rule.get("require") or []) + (rule.get("recommend") or []):
                if rtype.field_at(key) is None:
                    findings.append(Finding(type_file, 1, "error", "unknown-key",
                                            t("check.unknown-key", lang, what=f"rule {i + 1}", key=key)))
    return findings


def _all_fields(fields):
    for field in fields:
        yield field
        if field.fields:
            yield from _all_fields(field.fields.values())


def _check_file(store, engine, rtype, path, seen_ids):
    shown = store.display_path(path)
    lang = engine.lang
    if path.suffix != ".yaml":
        return [Finding(shown, 1, "warning", "stray-file", t("check.stray-file", lang))]
    raw = path.read_bytes()
    try:
        text = yamlio.decode(raw, shown)
        record = yamlio.load(text, shown)
    except YamlError as err:
        return [Finding(shown, err.line or 1, "error", err.code, t(f"yaml.{err.code}", lang, **err.params))]
    if not isinstance(record, dict):
        return [Finding(shown, 1, "error", "not-mapping", t("check.not-mapping", lang))]
    findings = []
    record_id = record.get("id")
    id_line = key_line(text, "id")
    if not ids.is_valid(record_id):
        return [Finding(shown, id_line, "error", "bad-id", t("check.bad-id", lang, value=record_id))]
    if record_id != path.stem:
        findings.append(Finding(shown, id_line, "error", "id-mismatch",
                                t("check.id-mismatch", lang, id=record_id, name=path.name)))
    elif ids.prefix_of(record_id) != rtype.prefix:
        findings.append(Finding(shown, id_line, "error", "wrong-type",
                                t("check.wrong-type", lang, id=record_id, prefix=rtype.prefix, dir=rtype.dir)))
    elif store.path_of(record_id).resolve() != path.resolve():
        findings.append(Finding(shown, id_line, "error", "path-mismatch",
                                t("check.path-mismatch", lang, id=record_id,
                                  path=store.display_path(store.path_of(record_id)))))
    if record_id in seen_ids:
        findings.append(Finding(shown, id_line, "error", "duplicate-id",
                                t("check.duplicate-id", lang, id=record_id, path=seen_ids[record_id])))
    seen_ids.setdefault(record_id, shown)
    for problem in engine.validate(rtype, record):
        if problem.code == "recommended" and ids.day_of(record_id) is None:
            continue  # fixed system records (CUST-GENERAL) are not real customers to fill in
        findings.append(Finding(shown, key_line(text, problem.key), problem.level, problem.code, problem.text))
    findings += _check_history(store, record, text, shown, lang)
    for extra in RECORD_CHECKS:
        for key, level, code, message in extra(store, engine, rtype, record):
            findings.append(Finding(shown, key_line(text, key), level, code, message))
    if yamlio.dump(record) != text:
        findings.append(Finding(shown, 1, "warning", "not-canonical", t("check.not-canonical", lang)))
    return findings


def _check_history(store, record, text, shown, lang="en"):
    findings = []
    history = record.get("history")
    line = key_line(text, "history")
    if not isinstance(history, list) or not history:
        return [Finding(shown, line, "error", "history", t("check.history-missing", lang))]
    previous = None
    for index, entry in enumerate(history):
        if not isinstance(entry, dict) or not {"at", "by", "event"} <= set(entry):
            findings.append(Finding(shown, line, "error", "history", t("check.history-entry", lang, index=index)))
            continue
        if entry["by"] not in store.config.users and entry["by"] != SYSTEM_USER:
            findings.append(Finding(shown, line, "error", "unknown-user",
                                    t("check.history-user", lang, index=index, user=entry["by"])))
        if previous is not None and hasattr(entry["at"], "isoformat") and hasattr(previous, "isoformat"):
            try:
                if entry["at"] < previous:
                    findings.append(Finding(shown, line, "warning", "date-order",
                                            t("check.history-order", lang, index=index)))
            except TypeError:
                pass
        previous = entry["at"]
    for index, item in enumerate(record.get("assignments") or []):
        if not isinstance(item, dict) or item.get("user") not in store.config.users:
            findings.append(Finding(shown, key_line(text, "assignments"), "error", "unknown-user",
                                    t("check.assignment-user", lang, index=index)))
    return findings
