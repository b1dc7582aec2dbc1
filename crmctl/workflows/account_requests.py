"""Account-creation requests: the seller's form, sent to customer service, processed into a customer."""

from crmctl.engine import records
from crmctl.engine.assignments import assign
from crmctl.engine.directory import region_owner
from crmctl.kernel.errors import CrmError
from crmctl.engine.rules import is_empty
from crmctl.engine.transitions import transition

SENT_REASON = "request"  # customer service's task: create the account
REJECTED_REASON = "request_rejected"  # back to the seller
GENERAL_CUSTOMER = "CUST-GENERAL"
NOT_COPIED = ("status", "project", "customer", "reason", "notes")



def customer_service_owner(store, form):
    """Who gets a sent form: the customer-service owner of its region (else of the seller's region)."""
    config = store.config
    seller = config.users.get(form.get("seller")) or {}
    for region in (form.get("region"), seller.get("region")):
        owner = region_owner(config, region, "customer_service") if region else None
        if owner:
            return owner
    raise CrmError(code="form.no_customer_service", id=form["id"])


def send(store, form_id, actor, lang="fi"):
    """draft (or rejected) → sent; customer service gets an assignment."""
    def before_save(record, engine, old, new):
        assign(record, customer_service_owner(store, record), SENT_REASON, actor, store.now())

    record, _ = transition(store, form_id, "sent", actor, lang, before_save=before_save)
    return record


def reject(store, form_id, reason, actor, lang="fi"):
    """sent → rejected with a reason; the form goes back to its seller."""
    if is_empty(reason):
        raise CrmError(code="form.reject_needs_reason")

    def before_save(record, engine, old, new):
        if record.get("seller"):
            assign(record, record["seller"], REJECTED_REASON, actor, store.now(), note=reason)

    record, _ = transition(store, form_id, "rejected", actor, lang, {"reason": reason}, before_save=before_save)
    return record


def process(store, form_id, customer_number, actor, lang="fi"):
    """sent → processed: create the customer from the form (customer rules apply), link it; returns it.

    A project the form names that is still for the general customer moves
    to the new customer.
    """
    if is_empty(customer_number):
        raise CrmError(code="form.needs_customer_number")
    config = store.config
    customer_type = config.types["customer"]
    with store.transaction():  # all its records or none, also across a crash
        form = store.get(form_id)
        if form.get("status") != "sent":
            raise CrmError(code="form.not_sent", id=form_id, status=form.get("status"))
        values = {k: v for k, v in form.items()
                  if k in customer_type.fields and k in config.types["account_request"].fields
                  and k not in NOT_COPIED and customer_type.fields[k].level != "system"}
        values["customer_number"] = customer_number
        customer, _ = records.create(store, customer_type, values, actor, lang)
        transition(store, form_id, "processed", actor, lang, {"customer_number": customer_number},
                   system_values={"customer": customer["id"]})
        project_id = form.get("project")
        if project_id and store.get(project_id).get("customer") == GENERAL_CUSTOMER:
            def mutate(project, engine):
                project["customer"] = customer["id"]

            records.change(store, project_id, actor, lang, mutate)
    return customer
