"""`crmctl check`: every problem in the configuration and the records, with file and line."""

import os
import re
from dataclasses import dataclass
from pathlib import Path

from crmctl.config.model import LANGUAGES
from crmctl.kernel.errors import CrmError
from crmctl.kernel.i18n import t
from crmctl.kernel.registry import registry
from crmctl.checks.config_check import check_people_and_settings
from crmctl.checks import few_changed
from crmctl.checks.cross_checks import Facts, file_findings
from crmctl.checks.file_check import key_line as _key_line
from crmctl.checks.links import check_links
from crmctl.checks.record_scan import RecordScan
from crmctl.engine.query import parse_filters
from crmctl.workflows.account_requests import GENERAL_CUSTOMER


@dataclass(slots=True)  # a whole check holds one per line: 100,000 at 100k files, 9 MiB less without a __dict__
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


def check_store(store, lang="en", paths=None):
    """All findings for the store (or only for the record files in `paths`).

    When every file is checked and nothing changed since the last such run (the same record files with the same
    stats, the same configuration, code and language, the same day and working directory), the findings are
    that run's, kept as a snapshot: no file's row is read, no configuration checked again."""
    try:
        store.config
    except CrmError as err:
        return [_config_finding(store, err)]
    store.settle()  # a crashed command's journal is completed first: check judges the store as it will be
    scan = RecordScan(store, lang)
    try:
        shown_prefix = _shown_prefix(store)
        whole = not paths and _has_clock(store)  # a broken time zone has no today to key a snapshot with
        if not whole:
            return _every_finding(store, lang, paths, scan, shown_prefix)
        kept = scan.snapshot("check", shown_prefix)
        if kept is not None:
            return [Finding(*item) for item in kept]
        found = few_changed.patched(store, scan, "check", shown_prefix, shown_prefix)  # a few hand edits
        if found is not None:
            findings = [Finding(*item) for item in found[0]]
            scan.keep_snapshots({"check": found[0], "check" + few_changed.LAYOUT: found[1]}, shown_prefix)
            return findings
        layout = {}
        findings = _every_finding(store, lang, paths, scan, shown_prefix, layout)
        # The findings kept first and the layout built only then: at 100,000 files each is some 10 MiB, and its
        # pickle as much again. Kept apart, a layout is used only with the findings of the same run (its tag).
        scan.keep_snapshots({"check": [(f.path, f.line, f.level, f.code, f.message) for f in findings]}, shown_prefix)
        if "first" in layout:  # else the records were not checked (broken settings): nothing to patch later
            scan.keep_snapshots({"check" + few_changed.LAYOUT: few_changed.layout_payload(scan, "check", shown_prefix,
                                                                                            layout)}, shown_prefix)
        return findings
    finally:
        scan.close()


def _has_clock(store):
    try:
        store.today()
    except CrmError:
        return False
    return True


def _every_finding(store, lang, paths, scan, shown_prefix, layout=None):
    """Every finding, computed; `layout` (a dict), when given, receives where the files' findings begin ("first")
    and checks/cross_checks.file_findings' layout of them."""
    findings = check_config(store, lang)
    people = check_people_and_settings(store, store.display_path, lang)
    findings += [Finding(where, line, "error", code, message) for where, line, code, message in people]
    if any(code == "settings" for _, _, code, _ in people):
        return findings  # without a clock or a calendar no record can be validated
    wanted = None
    if paths:
        wanted, missing = _wanted(paths, store)
        findings += [Finding(str(path), 1, "error", "missing-path", t("check.missing-path", lang)) for path in missing]
    # One pass over the files keeps only small facts per file (a cached file is not even read); what depends on
    # several files is decided from those facts, so no run holds every record at once.
    results = scan.run(wanted)
    facts = Facts(store, results)
    if layout is not None:
        layout["first"] = len(findings)
    findings += file_findings(store, lang, results, shown_prefix, facts, Finding, layout)
    findings += _link_findings(store, lang, wanted, facts, results, shown_prefix)
    if wanted is None and GENERAL_CUSTOMER.split("-")[0] in {t.prefix for t in store.config.types.values()}:
        if not store.exists(GENERAL_CUSTOMER):
            findings.append(Finding(store.display_path(store.root / "crmctl.yaml"), 1, "error", "general-customer",
                                    t("check.general-customer", lang, id=GENERAL_CUSTOMER)))
    return findings


def _link_findings(store, lang, wanted, facts, results, shown_prefix):
    """Links that do not point both ways (checks/links.py), at the line of the link in its record's file: the
    line the scan kept for the file at the record's own path, or the file read when it kept none."""
    def chosen(record_id):
        return wanted is None or wanted(store.path_of(record_id).resolve())

    findings = []
    by_rel = None
    for record_id, key, level, code, message in check_links(store, lang, chosen, facts.records):
        if by_rel is None:
            by_rel = {result.rel: result for result in results if result.readable}
        rel = facts.own_paths.rel(record_id)
        result = by_rel.get(rel)
        line = result.lines().get(key) if result is not None else None
        if line is not None:
            findings.append(Finding(shown_prefix + rel, line, level, code, message))
            continue
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


def _shown_prefix(store):
    """What `store.display_path` puts before a path relative to the store root (the root resolved once, not for
    every file)."""
    root = store.root.resolve()
    try:
        shown_root = str(root.relative_to(Path.cwd().resolve()))
    except ValueError:
        shown_root = str(root)
    return "" if shown_root == "." else shown_root + os.sep
