"""Derived keys of staged records (sales projects): the current stage and stall detection."""

from datetime import date

from crmctl.present.display import DERIVED_DISPLAY
from crmctl.engine.query import derived

FINISHED = ("done", "skipped")


def current_stage(record):
    """The first stage not done or skipped, or None when all are."""
    for stage in record.get("stages") or []:
        if stage.get("status") not in FINISHED:
            return stage
    return None


def stage_role(config, project_type, stage_key):
    for stage in (config.project_types.get(project_type) or {}).get("stages", []):
        if stage.get("key") == stage_key:
            return stage.get("role")
    return None


def _current(key):
    def read(evaluator, record):
        stage = current_stage(record)
        return stage.get(key) if stage else None
    return read


for _key in ("key", "status", "owner", "due", "started"):
    derived("current_stage" if _key == "key" else f"current_stage_{_key}")(_current(_key))


@derived("current_stage_role")
def _current_role(evaluator, record):
    stage = current_stage(record)
    return stage_role(evaluator.store.config, record.get("type"), stage.get("key")) if stage else None


@derived("last_progress")
def last_progress(evaluator, record):
    """The last stage completion date, else the creation date."""
    dates = [s.get("completed") for s in record.get("stages") or [] if isinstance(s.get("completed"), date)]
    return max(dates) if dates else record.get("created")


@derived("stalled")
def stalled(evaluator, record):
    """Open, and the current stage is past due or nothing was completed for N working days."""
    if record.get("status", "open") != "open":
        return False
    stage = current_stage(record)
    today = evaluator.today
    if stage and isinstance(stage.get("due"), date) and today > stage["due"]:
        return True
    since = evaluator.value(record, "last_progress")
    limit = int(evaluator.store.config.sla.get("stalled_after_working_days", 60))
    return isinstance(since, date) and evaluator.calendar.working_days_between(since, today) > limit


def _stage_name(config, value, lang):
    return (config.stage_labels.get(value) or {}).get(lang) or str(value)


def _stage_status_name(config, value, lang):
    for item in config.vocabularies.get("stage_statuses") or []:
        if item.key == value:
            return item.label.get(lang) or str(value)
    return str(value)


def _role_name(config, value, lang):
    for item in config.vocabularies.get("roles") or []:
        if item.key == value:
            return item.label.get(lang) or str(value)
    return str(value)


DERIVED_DISPLAY.update(current_stage=_stage_name, current_stage_status=_stage_status_name,
                       current_stage_role=_role_name)
