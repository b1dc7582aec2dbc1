"""Import: every row validated alone by the record rules, written in batches, each ending in one outcome.

One lock and one configuration load for the whole import. Rows are written
in batches of `BATCH` through one store transaction (one journal, so one
durability barrier per batch); each row runs in a savepoint of its own, so
a rejected row takes nothing with it and never blocks the others. A dry run
does the same work and throws every batch away, so it reports the same
outcomes and writes nothing.

A row with an `id` keeps it. For an existing record a row that changes
nothing is `unchanged`; one that does is rejected unless updates are asked
for, and then it is applied as `set` would apply it (an owner change is a
delegation). A key field matches rows to records by a unique value instead.
"""

import copy

from crmctl.engine import records
from crmctl.engine.rules import Engine, FieldError, Problem
from crmctl.kernel import ids
from crmctl.kernel.errors import CrmError, UsageError, ValidationError
from crmctl.kernel.i18n import t
from crmctl.io import convert, past
from crmctl.io.outcomes import CREATED, REJECTED, UNCHANGED, UPDATED, Outcome
from crmctl.workflows.delegation import created_for_someone_else

BATCH = 200


class _Discard(Exception):
    """Ends a dry run's batch: its transaction is thrown away."""


class Importer:
    def __init__(self, store, rtype, actor, lang="fi", update=False, key=None, dry_run=False, csv_rows=False):
        self.store, self.rtype, self.actor, self.lang = store, rtype, actor, lang
        self.update, self.key, self.dry_run, self.csv_rows = update or key is not None, key, dry_run, csv_rows
        self.engine = Engine(store, lang, actor)
        self.by_key = None  # key value -> ids of the type's records holding it
        self.key_lines = {}  # key value -> the line of the file that named it first
        self.expected = set()  # ids whole records referred to before they were in the store
        if key is not None:
            field = rtype.fields.get(key)
            if field is None or field.type in ("object", "list") or key == "id":
                raise UsageError(code="import.bad_key", key=key, what=rtype.label)

    def run(self, rows, report):
        """Import `rows` (rows.Row); `report(outcome)` hears of each row once its batch is written."""
        with self.store.lock():
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    self._batch(batch, report)
                    batch = []
            if batch:
                self._batch(batch, report)

    def _batch(self, batch, report):
        outcomes = []
        try:
            with self.store.transaction():
                for row in batch:
                    outcomes.append(self._one(row))
                if self.dry_run:
                    raise _Discard
        except _Discard:
            pass
        for outcome in outcomes:
            report(outcome)

    def _one(self, row):
        if row.problem is not None:
            return Outcome(REJECTED, row.line, reason=row.problem[self.lang], data=row.data, raw=row.raw)
        try:
            with self.store.savepoint():
                kind, record_id = self._decide(row)
            return Outcome(kind, row.line, record_id, data=row.data)
        except ValidationError as err:
            reason = "; ".join(p.text for p in err.problems)
        except FieldError as err:
            reason = str(err)
        except CrmError as err:
            reason = err.text(self.lang)
        except RecursionError:
            reason = t("import.too_deep", self.lang)
        return Outcome(REJECTED, row.line, reason=reason, data=row.data)

    # -- one row -------------------------------------------------------------------------

    def _decide(self, row):
        parsed = convert.parse(row.data, self.rtype, self.csv_rows)
        existing = self._match(row.line, parsed)
        if existing is None:
            return CREATED, self._create(parsed)
        return self._existing(existing, parsed)

    def _match(self, line, parsed):
        """The id of the record the row is about, or None for a new one."""
        if self.key is None:
            if parsed.record_id is None:
                return None
            self._check_id(parsed.record_id)
            return parsed.record_id if self.store.exists(parsed.record_id) else None
        given = parsed.values.get(self.key)
        if given in (None, ""):
            raise CrmError(code="import.key_missing", key=self.key)
        value = self.engine.convert(self.rtype.fields[self.key], given)
        first = self.key_lines.setdefault(value, line)
        if first != line:
            raise CrmError(code="import.key_twice_in_file", key=self.key, value=value, line=first)
        holders = self._key_index().get(value, [])
        if len(holders) > 1:
            raise CrmError(code="import.key_not_unique", key=self.key, value=value, ids=", ".join(sorted(holders)))
        if parsed.record_id is not None:
            self._check_id(parsed.record_id)
            if holders and holders[0] != parsed.record_id:
                raise CrmError(code="import.key_other_id", key=self.key, value=value, id=holders[0])
        return holders[0] if holders else None

    def _key_index(self):
        if self.by_key is None:
            self.by_key = {}
            for record in self.store.records(self.rtype):
                self.by_key.setdefault(record.get(self.key), []).append(record["id"])
        return self.by_key

    def _check_id(self, record_id):
        if not ids.is_valid(record_id) or ids.prefix_of(record_id) != self.rtype.prefix:
            raise CrmError(code="import.bad_id_of_type", value=record_id, prefix=self.rtype.prefix)

    def _create(self, parsed):
        closing = past.closing_of(parsed, self.engine, self.rtype) if parsed.stages else {}
        values, system = convert.given_for_create(parsed)
        # a row naming its owner puts the work in that person's hands: they are told, as by a delegation
        tell = created_for_someone_else if values.get("owner") and parsed.past is None else None
        if parsed.past is not None:
            self._check_people(parsed.past)
            self._expect_references({**values, **system})
        record, _ = records.create(self.store, self.rtype, values, self.actor, self.lang, system_values=system,
                                   prepare=tell, record_id=parsed.record_id, past=parsed.past, engine=self.engine)
        if parsed.stages:
            record = past.build(self.store, record, parsed.stages, closing, self.actor, self.lang)
        if self.by_key is not None:
            self.by_key.setdefault(record.get(self.key), []).append(record["id"])
        return record["id"]

    def _check_people(self, past):
        """The people a record's past names are users of this store (what `check` asks of every record)."""
        users = self.store.config.users
        for index, entry in enumerate(past.get("history") or []):
            if entry["by"] not in users and entry["by"] != records.SYSTEM_USER:
                raise CrmError(code="check.history-user", index=index, user=entry["by"])
        for index, item in enumerate(past.get("assignments") or []):
            if item.get("user") not in users:
                raise CrmError(code="check.assignment-user", index=index)

    def _expect_references(self, values):
        """A whole record from another store may point at records of a type imported after it."""
        for key, value in values.items():
            field = self.rtype.fields.get(key)
            target = self.store.config.types.get(field.ref) if field is not None and field.type == "ref" else None
            if target is None or not isinstance(value, str):
                continue
            wanted = value.strip().upper()
            if ids.is_valid(wanted) and ids.prefix_of(wanted) == target.prefix and not self.store.exists(wanted):
                self.engine.expect(wanted)
                self.expected.add(wanted)

    def missing(self):
        """The references whole records brought in that still point at no record."""
        return sorted(i for i in self.expected if not self.store.exists(i))

    def _existing(self, record_id, parsed):
        """Unchanged, updated, or rejected: the row applied to a copy of the record says which."""
        stored = self.store.get(record_id)
        candidate = copy.deepcopy(stored)
        if parsed.past is not None:  # a whole record is judged as when it was created: its links may come later
            self._expect_references({**parsed.values, **parsed.system})
        problems = records.apply_values(self.engine, self.rtype, candidate, parsed.values)
        problems += records.apply_values(self.engine, self.rtype, candidate, parsed.system, allow_system=True)
        records.raise_errors(problems, self.lang)
        changed = [k for k in self.rtype.fields if candidate.get(k) != stored.get(k)]
        changed += [f"stages.{k}" for k in _stage_differences(stored, parsed.stages)]
        # A fixed system record (CUST-GENERAL) is made by every store's `init`: its own past is each store's.
        moved_on = _past_differs(stored, parsed.past) and ids.day_of(record_id) is not None
        if not changed and not moved_on:
            return UNCHANGED, record_id
        if not self.update:
            raise CrmError(code="import.differs", id=record_id, fields=", ".join(changed) or "history")
        if moved_on:
            raise CrmError(code="import.history_differs", id=record_id)
        refused = [k for k in changed if k.startswith("stages.") or self.rtype.fields[k].level == "system"]
        if refused:
            raise ValidationError([Problem(k, self.engine.label_of(self.rtype, k), "error", "system",
                                           t("system_field", self.lang)) for k in refused], t("rules_broken", self.lang))
        values = {k: v for k, v in parsed.values.items() if k.split(".", 1)[0] in changed}
        _, _, did = records.update(self.store, record_id, values, self.actor, self.lang)
        return (UPDATED if did else UNCHANGED), record_id


def _stage_differences(stored, stages):
    """Stage columns of a row that say otherwise than the stored project."""
    found = {s.get("key"): s for s in stored.get("stages") or [] if isinstance(s, dict)}
    return [k for k, given in stages.items()
            if any(str(found.get(k, {}).get(attr) or "") != str(value) for attr, value in given.items())]


def _past_differs(stored, given):
    """Whether a row's history is not the record's own so far: the record may have moved on since (more events,
    the import's own `imported` among them), but what the row carries must be how it began."""
    if not given or "history" not in given:
        return False
    mine, theirs = stored.get("history") or [], given["history"]
    if mine[:len(theirs)] != theirs:
        return True
    if len(mine) == len(theirs) and "assignments" in given:
        return (stored.get("assignments") or []) != given["assignments"]
    return False
