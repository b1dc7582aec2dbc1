"""Derived keys of staged records (sales projects): the current stage and stall detection."""

from datetime import date


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


# `current_stage`, `current_stage_status`, ...: one reader per stage key, made once.
CURRENT_STAGE_KEYS = {("current_stage" if key == "key" else f"current_stage_{key}"): _current(key)
                      for key in ("key", "status", "owner", "due", "started")}


def _current_role(evaluator, record):
    stage = current_stage(record)
    return stage_role(evaluator.store.config, record.get("type"), stage.get("key")) if stage else None


def last_progress(evaluator, record):
    """The last stage completion date, else the creation date."""
    dates = [s.get("completed") for s in record.get("stages") or [] if isinstance(s.get("completed"), date)]
    return max(dates) if dates else record.get("created")


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


def register(registry):
    """The stage keys and how they read for people (called by crmctl.builtins)."""
    for key, read in CURRENT_STAGE_KEYS.items():
        registry.add_derived(key, read)
    registry.add_derived("current_stage_role", _current_role)
    registry.add_derived("last_progress", last_progress)
    registry.add_derived("stalled", stalled)
    registry.add_display("current_stage", _stage_name)
    registry.add_display("current_stage_status", _stage_status_name)
    registry.add_display("current_stage_role", _role_name)
