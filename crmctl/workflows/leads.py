"""Leads: routed to the region's seller, due in 2 working days, handled into a sales project."""

from crmctl.engine import records
from crmctl.workflows import sla
from crmctl.engine.assignments import assign
from crmctl.engine.directory import default_owner
from crmctl.kernel.errors import CrmError
from crmctl.engine.query import Evaluator
from crmctl.engine.rules import is_empty
from crmctl.engine.transitions import transition

LEAD_REASON = "lead"  # the assignment reason: the seller's "Lead" task



def _new_lead(record, engine):
    """Owner from the region, due date from the SLA targets, and the owner's assignment."""
    store = engine.store
    default_owner(store.config, record, "sales")
    if is_empty(record.get("due")):
        evaluator = Evaluator(store, store.config.types["lead"], actor=engine.actor, engine=engine)
        days = sla.target_days(evaluator, record)
        if days is not None:
            record["due"] = evaluator.calendar.add_working_days(store.today(), int(days))
    if record.get("owner") and record.get("status", "open") == "open":
        # The due date, not a sentence: inbox and email say it in their reader's language.
        due = {"due": record["due"]} if record.get("due") else {}
        assign(record, record["owner"], LEAD_REASON, engine.actor, store.now(), **due)


def _link_service_request(record, store, actor, lang):
    """The service request of the call points back at its lead."""
    request_id = record.get("service_request")
    if not request_id or store.get(request_id).get("lead") == record["id"]:
        return

    def mutate(request, engine):
        request["lead"] = record["id"]

    records.change(store, request_id, actor, lang, mutate, "linked")


def project_type_for(config, topic):
    """The project type whose `topic` (config/project_types.yaml) is the lead's topic, or None."""
    for key, spec in config.project_types.items():
        if spec.get("topic") == topic:
            return key
    return None


def handle(store, lead_id, actor, lang="fi", values=None):
    """Handle a lead: create a sales project of the matching type, link both ways; returns the project.

    `values` may name `type=` and any project fields (customer=, title=,
    value=, ...). Without a customer the project is for the general
    customer until the account-creation request makes the real one.
    """
    values = dict(values or {})
    config = store.config
    project_type = config.types["sales_project"]
    with store.transaction():  # all its records or none, also across a crash
        lead = store.get(lead_id)
        if lead.get("status") != "open":
            raise CrmError(code="transition.already", id=lead_id, status=lead.get("status"))
        type_key = values.pop("type", None) or project_type_for(config, lead.get("topic"))
        if not type_key:
            known = ", ".join(config.project_types)
            raise CrmError(code="lead.no_project_type", topic=lead.get("topic"), known=known)
        names = dict(values)
        names.setdefault("customer", "CUST-GENERAL")
        names.setdefault("region", lead.get("region"))
        names.setdefault("owner", lead.get("owner"))
        names.setdefault("title", _title(config, type_key, lead, lang))
        if lead.get("description") and "description" not in names:
            names["description"] = lead["description"]
        names = {k: v for k, v in names.items() if not is_empty(v)}
        names["type"] = type_key
        names["lead"] = lead_id
        project, _ = records.create(store, project_type, names, actor, lang)
        transition(store, lead_id, "handled", actor, lang, system_values={"project": project["id"]})
    return project


def handle_no_action(store, lead_id, reason, actor, lang="fi"):
    """Handled without a project (e.g. gas cannot be offered in the area); needs a reason."""
    if is_empty(reason):
        raise CrmError(code="lead.no_action_needs_reason")
    record, _ = transition(store, lead_id, "handled_no_action", actor, lang, {"reason": reason})
    return record


def _title(config, type_key, lead, lang):
    labels = config.project_types[type_key].get("label") or {}
    kind = labels.get(lang) or labels.get("fi") or type_key  # the reader's language, as the rest of the output
    who = lead.get("company") or lead.get("person_name") or lead["id"]
    return f"{kind}: {who}"


def register(registry):
    """A new lead's owner, due date and assignment; its service request's link back (called by crmctl.builtins)."""
    registry.add_create_hook("lead", _new_lead)
    registry.add_created_hook("lead", _link_service_request)
