"""Sales projects and their stages: built from config/project_types.yaml, completed in order by their owners.

A project's `stages` list holds one item per stage of its type, in
workflow order: `{key, status, owner, started, due, completed, reason}`.
The current stage is the first one not done or skipped (stages.py); it
carries `started`, `due` (started + the stage's guideline working days)
and `owner` (the region's default owner for the stage's role unless
someone named another). Reports read these fields directly.
"""

from datetime import date

from crmctl.engine import records
from crmctl.engine.assignments import assign, hand_over
from crmctl.engine.directory import default_owner, has_role, region_owner
from crmctl.kernel.errors import AlreadyHolds, CrmError, NotFound, UsageError
from crmctl.kernel.i18n import both, t
from crmctl.engine.records import event
from crmctl.engine.rules import FieldError, is_empty
from crmctl.workflows.stages import FINISHED, current_stage
from crmctl.engine.transitions import transition

STAGE_REASON = "stage"  # the assignment reason for a stage owner



def type_spec(config, type_key):
    spec = config.project_types.get(type_key)
    if spec is None:
        known = ", ".join(config.project_types) or both("word.none")
        raise CrmError(code="project.unknown_type", type=type_key, known=known)
    return spec


def stage_spec(config, type_key, stage_key):
    """The configured stage (`{key, role, days}`) of a project type; a clear error for an unknown key."""
    stages = type_spec(config, type_key).get("stages") or []
    for spec in stages:
        if spec.get("key") == stage_key:
            return spec
    known = ", ".join(s.get("key") for s in stages)
    raise NotFound(code="project.unknown_stage", stage=stage_key, type=type_key, known=known)


def tidy(record):
    """Stage items in schema order (key, status, owner, started, due, completed, reason), empty keys dropped."""
    order = ("key", "status", "owner", "started", "due", "completed", "reason")
    record["stages"] = [{k: s[k] for k in order if not is_empty(s.get(k))}
                        | {k: v for k, v in s.items() if k not in order}
                        for s in record.get("stages") or []]


def start_stage(store, record, stage, started, owner, actor):
    """Make `stage` the current one: not started, with start, due date and owner; the owner gets an assignment."""
    spec = stage_spec(store.config, record.get("type"), stage["key"])
    owner = owner or stage.get("owner") or region_owner(store.config, record.get("region"), spec.get("role"))
    stage["status"] = "not_started"
    stage["started"] = started
    stage["due"] = store.calendar.add_working_days(started, int(spec.get("days") or 0))
    if owner:
        stage["owner"] = owner
        assign(record, owner, STAGE_REASON, actor, store.now(), stage=stage["key"], due=stage.get("due"))
    return stage


def _new_project(record, engine):
    """Default owner (the region's seller) and the stage list of the type, first stage current."""
    store = engine.store
    default_owner(store.config, record, "sales")
    spec = store.config.project_types.get(record.get("type"))
    if spec is None or record.get("stages"):
        if record.get("stages"):
            tidy(record)  # imported stages are kept as they are, in canonical key order
        return  # an unknown type is reported by validation
    record["stages"] = [{"key": s["key"], "status": "not_started"} for s in spec.get("stages") or []]
    created = record.get("created") if isinstance(record.get("created"), date) else store.today()
    if record["stages"]:
        start_stage(store, record, record["stages"][0], created, None, engine.actor)
    tidy(record)


def parse_date(text):
    """The date given for a stage's completion or a project's closing; a usage error when it is not one."""
    if text is None or isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise UsageError(code="project.bad_date", text=text) from None


def _is_admin(store, actor):
    return has_role(store.config, actor, "admin")


def _check_user(engine, rtype, handle):
    field = rtype.field_at("stages.owner")
    try:
        return engine.convert(field, handle)
    except FieldError as err:
        raise CrmError(code="about", what=handle, problem=str(err)) from None


def _open_project(record):
    if record.get("status", "open") != "open":
        raise CrmError(code="project.closed", id=record["id"], status=record.get("status"))


def _find_stage(store, record, stage_key):
    stage_spec(store.config, record.get("type"), stage_key)  # unknown keys: a clear error
    for stage in record.get("stages") or []:
        if stage.get("key") == stage_key:
            return stage
    raise NotFound(code="project.no_such_stage", id=record["id"], stage=stage_key)


def _advance(store, record, finished, on, next_owner, actor):
    """After `finished` is done or skipped: start the next open stage, or complete the project."""
    stages = record.get("stages") or []
    following = stages[stages.index(finished) + 1:]
    nxt = next((s for s in following if s.get("status") not in FINISHED), None)
    if nxt is None:
        old = record.get("status", "open")
        record["status"] = "completed"
        record["closed"] = on
        return None, {"at": store.now(), "by": actor, "event": "status", "from": old, "to": "completed"}
    start_stage(store, record, nxt, on, next_owner, actor)
    return nxt, None


def _may_complete(store, actor, stage, force_reason):
    """Who may complete a stage: its owner or an admin; anyone else only by force, with a reason."""
    if actor != stage.get("owner") and not _is_admin(store, actor) and force_reason is None:
        owner = stage.get("owner") or both("word.nobody")
        raise CrmError(code="project.complete_not_owner", owner=owner, stage=stage["key"])


def _completion_date(store, stage, on):
    """The date a stage is completed on (default today): not in the future, not before the stage began."""
    when = on or store.today()
    if when > store.today():
        raise CrmError(code="project.date_in_future", date=when)
    if isinstance(stage.get("started"), date) and when < stage["started"]:
        raise CrmError(code="project.date_before_start", date=when, started=stage["started"])
    return when


def complete_stage(store, project_id, actor, lang="fi", stage_key=None, on=None, next_owner=None,
                   force_reason=None):
    """Mark the current stage done on `on` (default today) and start the next one; returns the record.

    Only the stage's owner or an admin may complete it, unless `force_reason`
    is given (it is recorded). The last stage completes the project.
    """
    on = parse_date(on)
    if force_reason is not None and is_empty(force_reason):
        raise CrmError(code="project.force_needs_reason")

    def mutate(record, engine):
        rtype = store.type_of(project_id)
        _open_project(record)
        current = current_stage(record)
        if stage_key is not None:
            wanted = _find_stage(store, record, stage_key)
            if current is not None and wanted is not current:
                code = "project.stage_finished" if wanted.get("status") in FINISHED else "project.stage_not_next"
                raise CrmError(code=code, id=project_id, stage=stage_key, current=current["key"])
        if current is None:
            raise CrmError(code="project.nothing_to_complete", id=project_id)
        _may_complete(store, actor, current, force_reason)
        when = _completion_date(store, current, on)
        owner = _check_user(engine, rtype, next_owner) if next_owner else None
        current["status"] = "done"
        current["completed"] = when
        if force_reason is not None:
            current["reason"] = force_reason
        nxt, closed = _advance(store, record, current, when, owner, actor)
        done = event(store, actor, "stage_completed", stage=current["key"], completed=when)
        if nxt is not None:
            done.update(next=nxt["key"], owner=nxt.get("owner"))
        if force_reason is not None:
            done.update(forced=True, reason=force_reason)
        tidy(record)
        return [done] + ([closed] if closed else [])

    record, _, _ = records.change(store, project_id, actor, lang, mutate)
    return record


def start_work(store, project_id, actor, lang="fi", stage_key=None):
    """The current stage's owner (or an admin) marks it in progress: it leaves the not-started queues."""

    def mutate(record, engine):
        _open_project(record)
        current = current_stage(record)
        if stage_key is not None and _find_stage(store, record, stage_key) is not current:
            if current is None:
                raise CrmError(code="project.stage_not_current", id=project_id, stage=stage_key)
            raise CrmError(code="project.stage_not_current_of", id=project_id, stage=stage_key, current=current["key"])
        if current is None:
            raise CrmError(code="project.nothing_to_start", id=project_id)
        if current.get("status") == "in_progress":  # a repeat: it holds already, nothing is written (exit 0)
            raise AlreadyHolds(code="project.stage_in_progress", id=project_id, stage=current["key"])
        if actor != current.get("owner") and not _is_admin(store, actor):
            raise CrmError(code="project.start_not_owner", owner=current.get("owner") or both("word.nobody"),
                           stage=current["key"])
        current["status"] = "in_progress"
        tidy(record)
        return [event(store, actor, "stage_started", stage=current["key"])]

    record, _, _ = records.change(store, project_id, actor, lang, mutate)
    return record


def skip_stage(store, project_id, stage_key, reason, actor, lang="fi", next_owner=None):
    """Skip a stage with a reason: the current one (the next starts) or a later one (passed over)."""
    if is_empty(reason):
        raise CrmError(code="project.skip_needs_reason")

    def mutate(record, engine):
        _open_project(record)
        stage = _find_stage(store, record, stage_key)
        if stage.get("status") in FINISHED:
            raise CrmError(code="project.stage_already", id=project_id, stage=stage_key, status=stage["status"])
        _may_manage_stages(store, record, actor, "project.skip_not_allowed")
        current = current_stage(record)
        stage["status"] = "skipped"
        stage["reason"] = reason
        skipped = event(store, actor, "stage_skipped", stage=stage_key, reason=reason)
        extra = []
        if stage is current:
            owner = _check_user(engine, store.type_of(project_id), next_owner) if next_owner else None
            nxt, closed = _advance(store, record, stage, store.today(), owner, actor)
            if nxt is not None:
                skipped.update(next=nxt["key"], owner=nxt.get("owner"))
            extra = [closed] if closed else []
        tidy(record)
        return [skipped] + extra

    record, _, _ = records.change(store, project_id, actor, lang, mutate)
    return record


def _may_manage_stages(store, record, actor, refusal):
    """Skipping and reassigning stages is for the current stage's owner, the project's owner or an admin
    (`refusal`: the message code saying so)."""
    current = current_stage(record)
    allowed = {record.get("owner"), current.get("owner") if current else None}
    if actor not in allowed and not _is_admin(store, actor):
        raise CrmError(code=refusal)


def assign_stage(store, project_id, stage_key, user, actor, lang="fi"):
    """Name the owner of a stage not yet finished; the owner of the current stage gets an assignment
    and the previous owner's open assignment for it is handed over."""

    def mutate(record, engine):
        _open_project(record)
        _may_manage_stages(store, record, actor, "project.assign_not_allowed")
        stage = _find_stage(store, record, stage_key)
        if stage.get("status") in FINISHED:
            raise CrmError(code="project.stage_already", id=project_id, stage=stage_key, status=stage["status"])
        owner = _check_user(engine, store.type_of(project_id), user)
        if stage.get("owner") == owner:
            return []
        old = stage.get("owner")
        stage["owner"] = owner
        if stage is current_stage(record):
            hand_over(record, old, owner, store.now())
            assign(record, owner, STAGE_REASON, actor, store.now(), stage=stage_key, due=stage.get("due"))
        tidy(record)
        return [event(store, actor, "stage_assigned", stage=stage_key, **{"from": old, "to": owner})]

    record, _, _ = records.change(store, project_id, actor, lang, mutate)
    return record


def close_project(store, project_id, outcome, actor, lang="fi", reason=None, on=None, force_reason=None):
    """Close a project `completed` or `lost` (lost needs a reason); `on` is the closing date (default today).

    Completing a project whose stages are not all done completes them too: that needs `force_reason`
    (recorded on each stage and in the history) and the permission of completing the current stage.
    """
    if outcome not in ("completed", "lost"):
        raise UsageError(code="project.close_how")
    if force_reason is not None and (outcome != "completed" or is_empty(force_reason)):
        raise CrmError(code="project.force_needs_reason")
    on = parse_date(on)
    values = {"reason": reason or force_reason} if (reason or force_reason) else {}
    system = {"closed": on} if on else {}
    forced = []

    def complete_open_stages(record, engine, old, new):
        if outcome != "completed":
            return
        unfinished = [s for s in record.get("stages") or [] if s.get("status") not in FINISHED]
        if not unfinished:
            return
        _may_complete(store, actor, unfinished[0], force_reason)
        if force_reason is None:
            raise CrmError(code="project.close_stages_open", id=project_id,
                           stages=", ".join(str(s.get("key")) for s in unfinished))
        when = _completion_date(store, unfinished[0], on)
        for stage in unfinished:
            stage.update(status="done", completed=when, reason=force_reason)
            forced.append(event(store, actor, "stage_completed", stage=stage["key"], completed=when, forced=True,
                                reason=force_reason))
        tidy(record)

    record, warnings = transition(store, project_id, outcome, actor, lang, values, system_values=system,
                                  extra_events=forced, before_save=complete_open_stages)
    return record


def stage_label(config, stage_key, lang):
    labels = config.stage_labels.get(stage_key) or {}
    return labels.get(lang) or stage_key


def stage_rows(config, record, lang, labels=True):
    """One row per stage for people: key, name, role, status, owner and dates; `current` marks the current one.
    With labels=False (CSV, for machines) role and status are their keys."""
    current = current_stage(record)
    statuses = {v.key: v.label for v in config.vocabularies.get("stage_statuses") or []} if labels else {}
    roles = {v.key: v.label for v in config.vocabularies.get("roles") or []} if labels else {}
    specs = {s.get("key"): s for s in (config.project_types.get(record.get("type")) or {}).get("stages") or []}
    rows = []
    for stage in record.get("stages") or []:
        spec = specs.get(stage.get("key")) or {}
        rows.append({
            "current": "*" if stage is current else "",
            "key": stage.get("key"),
            "name": stage_label(config, stage.get("key"), lang),
            "role": (roles.get(spec.get("role")) or {}).get(lang, spec.get("role")),
            "days": spec.get("days"),
            "status": (statuses.get(stage.get("status")) or {}).get(lang, stage.get("status")),
            "owner": stage.get("owner"),
            "started": stage.get("started"),
            "due": stage.get("due"),
            "completed": stage.get("completed"),
            "reason": stage.get("reason"),
        })
    return rows


def check_stages(store, engine, rtype, record):
    """Impossible stage sequences: not the type's stages, finished after an unfinished one, dates out of order."""
    if rtype.key != "sales_project" or not isinstance(record.get("stages"), list):
        return []
    spec = store.config.project_types.get(record.get("type"))
    if spec is None:
        return []
    found = []
    lang = engine.lang
    wanted = [s.get("key") for s in spec.get("stages") or []]
    keys = [s.get("key") for s in record["stages"] if isinstance(s, dict)]
    if keys != wanted:
        found.append(("stages", "error", "stage-sequence",
                      t("check.stage-sequence", lang, keys=", ".join(map(str, keys)), type=record.get("type"),
                        wanted=", ".join(wanted))))
    unfinished = None
    for stage in (s for s in record["stages"] if isinstance(s, dict)):
        key, status = stage.get("key"), stage.get("status")
        if status == "done" and unfinished:  # skipping a later stage ahead of time is allowed (`stage skip`)
            found.append(("stages", "error", "stage-order",
                          t("check.stage-order", lang, stage=key, status=status, unfinished=unfinished)))
        if status not in FINISHED and unfinished is None:
            unfinished = key
        if status == "done" and not isinstance(stage.get("completed"), date):
            found.append(("stages", "error", "stage-date", t("check.stage-date", lang, stage=key)))
        if status == "skipped" and is_empty(stage.get("reason")):
            found.append(("stages", "error", "stage-reason", t("check.stage-reason", lang, stage=key)))
        started, due, completed = stage.get("started"), stage.get("due"), stage.get("completed")
        if isinstance(started, date) and isinstance(completed, date) and completed < started:
            found.append(("stages", "error", "date-order",
                          t("check.stage-completed-early", lang, stage=key, completed=completed, started=started)))
        if isinstance(started, date) and isinstance(due, date) and due < started:
            found.append(("stages", "error", "date-order",
                          t("check.stage-due-early", lang, stage=key, due=due, started=started)))
    status = record.get("status", "open")
    if status == "completed" and unfinished:
        found.append(("stages", "warning", "stage-open", t("check.stage-open", lang, stage=unfinished)))
    if status == "open" and keys and unfinished is None:
        found.append(("status", "warning", "stage-open", t("check.stages-finished", lang)))
    return found


def register(registry):
    """A new project's owner and stages; the stage-sequence check (called by crmctl.builtins)."""
    registry.add_create_hook("sales_project", _new_project)
    registry.add_record_check(check_stages)
