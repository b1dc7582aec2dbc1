"""`crmctl check`: every problem in the configuration and the records, with file and line."""

import hashlib
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from crmctl.kernel import ids
from crmctl.kernel import yamlio
from crmctl.config.model import LANGUAGES
from crmctl.kernel.errors import CrmError, YamlError
from crmctl.kernel.i18n import t
from crmctl.kernel.registry import registry
from crmctl.checks.config_check import check_people_and_settings
from crmctl.engine.query import parse_filters
from crmctl.engine.records import SYSTEM_USER
from crmctl.engine.rules import Engine
from crmctl.checks.links import check_links
from crmctl.checks.stored_form import stored_form_problems
from crmctl.store.files import atomic_write
from crmctl.store.store import CACHE_DIR
from crmctl.workflows.account_requests import GENERAL_CUSTOMER



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


def key_line(text, key):
    """The 1-based line where a (dotted) key is written, or 1."""
    return _key_line(text.splitlines(), key)


def _key_line(lines, key):
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
    findings = []
    try:
        config = store.config
    except CrmError as err:
        return [_config_finding(store, err)]
    findings += check_config(store, lang)
    store.settle()  # a crashed command's journal is completed first: check judges the store as it will be
    people = check_people_and_settings(store, store.display_path, lang)
    findings += [Finding(where, line, "error", code, message) for where, line, code, message in people]
    if any(code == "settings" for _, _, code, _ in people):
        return findings  # without a clock or a calendar no record can be validated
    engine = Engine(store, lang)  # one engine: its per-type evaluators and reference look-ups serve every file
    wanted = None
    if paths:
        wanted, missing = _wanted(paths, store)
        findings += [Finding(str(path), 1, "error", "missing-path", t("check.missing-path", lang)) for path in missing]
    seen_ids = {}
    shown_of = _displayer(store)
    parsed = ParseCache(store.root / CACHE_DIR / "check.pickle")
    for rtype in config.types.values():
        for path in store.files_under(rtype.dir):
            if wanted is not None and not wanted(path.resolve()):
                continue
            findings += _check_file(store, engine, rtype, path, seen_ids, shown_of(path), parsed)
    parsed.save(prune=wanted is None)
    findings += _link_findings(store, lang, wanted)
    if wanted is None and GENERAL_CUSTOMER.split("-")[0] in {t.prefix for t in config.types.values()}:
        if not store.exists(GENERAL_CUSTOMER):
            findings.append(Finding(store.display_path(store.root / "crmctl.yaml"), 1, "error", "general-customer",
                                    t("check.general-customer", lang, id=GENERAL_CUSTOMER)))
    return findings


def _link_findings(store, lang, wanted):
    """Links that do not point both ways (checks/links.py), at the line of the link in its record's file."""
    def chosen(record_id):
        return wanted is None or wanted(store.path_of(record_id).resolve())

    findings = []
    for record_id, key, level, code, message in check_links(store, lang, chosen):
        path = store.path_of(record_id)
        try:
            line = key_line(store.read_bytes(path).decode("utf-8"), key)
        except (OSError, UnicodeDecodeError):
            line = 1
        findings.append(Finding(store.display_path(path), line, level, code, message))
    return findings


def _wanted(paths, store=None):
    """A test for the record files that `paths` name (files, or directories holding them), and the paths
    that do not exist (on disk, nor among a store's given contents): a path given to check that checks nothing
    must not pass."""
    files, folders, missing = set(), [], []
    for given in paths:
        path = Path(given).resolve()
        if path.is_dir():
            folders.append(path)
        elif path.exists() or (store is not None and store.files is not None and store.is_file(Path(given))):
            files.add(path)
        else:
            missing.append(given)
    return (lambda path: path in files or any(folder in path.parents for folder in folders)), missing


def _config_finding(store, err):
    text = str(err)
    match = re.match(r"^(.*?):(\d+): (.*)$", text)
    if match:
        return Finding(store.display_path(match.group(1)), int(match.group(2)), "error", "config", match.group(3))
    where = (getattr(err, "params", None) or {}).get("where")
    located = _config_place(store, where) if isinstance(where, str) else None
    if located is not None:
        return Finding(store.display_path(located[0]), located[1], "error", "config", text)
    return Finding(store.display_path(store.root / "crmctl.yaml"), 1, "error", "config", text)


def _config_place(store, where):
    """The file and line a `where` of a configuration error (`service_request.yaml: priority`) names: the
    fault is in that file, at its field when one is named, not in crmctl.yaml."""
    name, *keys = [part.strip() for part in where.split(":")]
    for folder in (store.root / "config" / "types", store.root / "config", store.root):
        path = folder / name
        if store.is_file(path):
            lines = store.read_bytes(path).decode("utf-8", errors="replace").splitlines()
            line = 1
            for key in keys:
                pattern = re.compile(rf"^[\s-]*(key:\s*{re.escape(key)}\s*$|{re.escape(key)}\s*:)")
                line = next((n for n, row in enumerate(lines[line - 1:], line) if pattern.match(row)), line)
            return path, line
    return None


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
                    if rtype.field_at(flt.key) is None and flt.key not in registry().derived and flt.key != "id":
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


def _displayer(store):
    """`store.display_path` for files under the store, resolving the root once instead of every file."""
    root = store.root.resolve()
    try:
        shown_root = str(root.relative_to(Path.cwd().resolve()))
    except ValueError:
        shown_root = str(root)
    prefix = "" if shown_root == "." else shown_root + os.sep
    start = 0 if str(store.root) == "." else len(str(store.root)) + 1  # Path("./x") is "x": no "./" to cut
    return lambda path: prefix + str(path)[start:]


class ParseCache:
    """What a record file's bytes parse to, keyed by a hash of the bytes.

    Parsing, refusing tags/anchors/conflict markers and comparing with the
    canonical dump depend on nothing but the bytes (and the YAML library), so
    a file whose bytes were seen before need not be parsed or dumped again;
    validation still runs on every record. Lives in the git-ignored cache
    directory; a missing or damaged cache is rebuilt.
    """

    FORMAT = (1, yaml.__version__, yamlio.__name__)

    def __init__(self, path):
        self.path = path
        self.entries = {}
        self.used = {}
        try:
            with open(path, "rb") as handle:
                version, entries = pickle.load(handle)
            if version == self.FORMAT:
                self.entries = entries
        except Exception:  # missing, stale or damaged: start afresh
            pass

    def parse(self, raw):
        """(record, None, canonical) or (None, (line, code, params), False) for the bytes of a file."""
        key = hashlib.blake2b(raw, digest_size=20).digest()
        blob = self.used.get(key) or self.entries.get(key)
        if blob is None:
            blob = pickle.dumps(_parse(raw), protocol=pickle.HIGHEST_PROTOCOL)
        self.used[key] = blob
        return pickle.loads(blob)  # a fresh copy: checks can never alter what is cached

    def save(self, prune=True):
        entries = self.used if prune else {**self.entries, **self.used}
        if entries == self.entries:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, pickle.dumps((self.FORMAT, entries), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # a read-only store is checked all the same, just without the cache


def _parse(raw):
    try:
        text = yamlio.decode(raw)
        record = yamlio.load(text)
    except YamlError as err:
        return None, (err.line or 1, err.code, err.params), False
    if not isinstance(record, dict):
        return None, (1, "not-mapping", {}), False
    return record, None, yamlio.dump(record) == text


def _check_file(store, engine, rtype, path, seen_ids, shown=None, parsed=None):
    shown = shown or store.display_path(path)
    lang = engine.lang
    if path.suffix != ".yaml":
        return [Finding(shown, 1, "warning", "stray-file", t("check.stray-file", lang))]
    raw = store.read_bytes(path)
    record, error, canonical = parsed.parse(raw) if parsed is not None else _parse(raw)
    if error is not None:
        line, code, params = error
        return [Finding(shown, line, "error", code, t(f"yaml.{code}", lang, **params))]
    lines = raw.decode("utf-8").splitlines()
    findings = []
    record_id = record.get("id")
    id_line = _key_line(lines, "id")
    if not ids.is_valid(record_id):
        return [Finding(shown, id_line, "error", "bad-id", t("check.bad-id", lang, value=record_id))]
    if record_id != path.stem:
        findings.append(Finding(shown, id_line, "error", "id-mismatch",
                                t("check.id-mismatch", lang, id=record_id, name=path.name)))
    elif ids.prefix_of(record_id) != rtype.prefix:
        findings.append(Finding(shown, id_line, "error", "wrong-type",
                                t("check.wrong-type", lang, id=record_id, prefix=rtype.prefix, dir=rtype.dir)))
    elif store.path_of(record_id) != path:  # both are built from store.root, so equal paths compare equal
        findings.append(Finding(shown, id_line, "error", "path-mismatch",
                                t("check.path-mismatch", lang, id=record_id,
                                  path=store.display_path(store.path_of(record_id)))))
    if record_id in seen_ids:
        findings.append(Finding(shown, id_line, "error", "duplicate-id",
                                t("check.duplicate-id", lang, id=record_id, path=seen_ids[record_id])))
    seen_ids.setdefault(record_id, shown)
    system_record = ids.day_of(record_id) is None
    for problem in engine.validate(rtype, record):
        if problem.code == "recommended" and system_record:
            continue  # fixed system records (CUST-GENERAL) are not real customers to fill in
        findings.append(Finding(shown, _key_line(lines, problem.key), problem.level, problem.code, problem.text))
    for key, message in stored_form_problems(engine, rtype, record):
        findings.append(Finding(shown, _key_line(lines, key), "warning", "stored-form", message))
    findings += _check_history(store, record, lines, shown, lang)
    for extra in registry().record_checks:  # the workflows' own checks
        for key, level, code, message in extra(store, engine, rtype, record):
            findings.append(Finding(shown, _key_line(lines, key), level, code, message))
    if not canonical:
        findings.append(Finding(shown, 1, "warning", "not-canonical", t("check.not-canonical", lang)))
    return findings


def _check_history(store, record, lines, shown, lang="en"):
    findings = []
    history = record.get("history")
    line = _key_line(lines, "history")
    if not isinstance(history, list) or not history:
        return [Finding(shown, line, "error", "history", t("check.history-missing", lang))]
    previous = None
    for index, entry in enumerate(history):
        if not isinstance(entry, dict) or not {"at", "by", "event"} <= set(entry):
            findings.append(Finding(shown, line, "error", "history", t("check.history-entry", lang, index=index)))
            continue
        by = entry["by"]
        if not isinstance(by, str) or by not in store.config.users and by != SYSTEM_USER:  # `by: [a, b]` is no user
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
            findings.append(Finding(shown, _key_line(lines, "assignments"), "error", "unknown-user",
                                    t("check.assignment-user", lang, index=index)))
    return findings
