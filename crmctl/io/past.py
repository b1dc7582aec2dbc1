"""Sales projects migrated from an earlier system, with their past.

Columns `stages.<KEY>.completed` (also `.started`, `.owner`) say when each
finished stage was done and by whom. The project is built as the verbs
would have built it on those days: created on its `created` date (its first
stage starting then), then each stage completed with `project stage
complete` on that date, the next one started that day with its due date from the
guideline; a stage owner given is named as `stage assign` would. So the
monthly tracking counts the project from its first month. Dates are checked
against each other (a stage cannot be completed before it started), not
against the day of the import.
"""

from crmctl.kernel.errors import CrmError
from crmctl.workflows import projects
from crmctl.workflows.stages import current_stage

CLOSING_KEYS = ("status", "closed")


def closing_of(parsed, engine, rtype):
    """Take the project's final status, closing date (and a lost project's reason) out of the row: the stages
    and `project close` set them, after the stages are built."""
    wanted = {key: parsed.values.pop(key, None) or parsed.system.pop(key, None) for key in CLOSING_KEYS}
    wanted = {k: v for k, v in wanted.items() if v not in (None, "")}
    if "status" in wanted:
        wanted["status"] = engine.convert(rtype.fields["status"], wanted["status"])  # a label in either language
        field = _reason_field(rtype, wanted["status"])
        if wanted["status"] != "open" and parsed.values.get(field) not in (None, ""):
            wanted["reason"] = parsed.values.pop(field)
    return wanted


def _reason_field(rtype, status):
    """The field the move to `status` records its reason in (`lost_reason`), as the type's transitions say."""
    for rule in (rtype.status or {}).get("transitions") or []:
        if rule.get("to") == status and rule.get("reason_field"):
            return rule["reason_field"]
    return "reason"


def build(store, record, stages, closing, actor, lang):
    """Complete the stages of the new project `record` as the columns say; close it as the row says."""
    project_id = record["id"]
    known = [s.get("key") for s in record.get("stages") or []]
    unknown = sorted(set(stages) - set(known))
    if unknown:
        raise CrmError(code="project.unknown_stage", stage=", ".join(unknown), type=record.get("type"),
                       known=", ".join(map(str, known)))
    for key in known:
        given = stages.get(key) or {}
        current = current_stage(store.get(project_id))
        if current is None or current.get("key") != key:
            if set(given) - {"owner"}:  # a later stage can only have been given its owner in advance
                raise CrmError(code="import.stage_after_open", stage=key)
            if given.get("owner"):
                projects.assign_stage(store, project_id, key, given["owner"], actor, lang)
            continue
        if given.get("owner"):
            projects.assign_stage(store, project_id, key, given["owner"], actor, lang)
        if given.get("started"):
            _started(store, project_id, key, given["started"])
        if not given.get("completed"):
            continue
        following = known[known.index(key) + 1:]
        next_owner = (stages.get(following[0]) or {}).get("owner") if following else None
        try:
            projects.complete_stage(store, project_id, actor, lang, key, given["completed"], next_owner=next_owner)
        except CrmError as err:
            if err.code != "project.date_before_start":
                raise
            raise CrmError(code="import.stage_before_start", stage=key, **err.params) from None
    _close(store, project_id, closing, actor, lang)
    return store.get(project_id)


def _started(store, project_id, key, started):
    """A stage that began on another day than the previous one was completed (the first: its project's creation)."""
    day = projects.parse_date(started)
    record = store.get(project_id)
    stage = next(s for s in record["stages"] if s.get("key") == key)
    if stage.get("started") == day:
        return
    earlier = [s.get("completed") for s in record["stages"] if s.get("completed")]
    floor = max(earlier) if earlier else record.get("created")
    if floor and day < floor:
        raise CrmError(code="import.started_too_early", stage=key, date=day, floor=floor)
    spec = projects.stage_spec(store.config, record.get("type"), key)
    stage["started"] = day
    stage["due"] = store.calendar.add_working_days(day, int(spec.get("days") or 0))
    for item in record.get("assignments") or []:
        if item.get("stage") == key and "due" in item:
            item["due"] = stage["due"]
    store.save(record)


def _close(store, project_id, closing, actor, lang):
    status = closing.get("status")
    record = store.get(project_id)
    if status in (None, "open", record.get("status")):
        closed = projects.parse_date(closing.get("closed"))
        if closed and record.get("status") == "open":
            raise CrmError(code="import.closed_open_project")
        if closed and closed != record.get("closed"):  # the stages closed it on their last completion
            raise CrmError(code="import.closed_differs", date=closed, closed=record.get("closed"))
        return
    projects.close_project(store, project_id, status, actor, lang, reason=closing.get("reason"),
                           on=closing.get("closed"))
