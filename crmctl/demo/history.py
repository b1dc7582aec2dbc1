"""The demo store's history: a fictional gas utility's first quarter with crmctl, Jan–Mar 2011.

Deterministic: one seeded random generator draws names, dates and ids, and
every record is made through the core API (`records.create`, `records.change`,
`workflow.transition`) at the moment it happened (CRMCTL_NOW frozen), so the
rules validate it and its history reads like the real thing. The sales-project
plan is shaped so that the monthly tracking report reproduces the roll-out's
own figures (domain spec §7): the counts in `facts.py` are those figures.

The parts: `facts` (figures and phrases), `timeline` (event queue and shared
helpers), `customers`, `planning` and `sales` (sales projects), `leads`
(inquiries), `calls` (everyday service requests); `Demo` joins them.
"""

from crmctl.demo.calls import Calls
from crmctl.demo.customers import Customers
from crmctl.demo.facts import LATE_STARTER
from crmctl.demo.leads import Inquiries
from crmctl.demo.planning import ProjectPlanning
from crmctl.demo.sales import SalesEvents
from crmctl.demo.timeline import Timeline
from crmctl.engine.directory import add_user, set_region
from crmctl.kernel import ids


class Demo(Customers, ProjectPlanning, SalesEvents, Inquiries, Calls, Timeline):
    """Builds the history into a store; `run()` plays every event in time order."""

    def schedule(self):
        self.schedule_customers()
        plans = self.plan_projects()
        self.schedule_projects(plans)
        self.schedule_calls()
        self.schedule_spare_leads()


def add_late_starter(store, admin):
    """Tampere's own seller, who started using crmctl in February."""
    handle, name, roles, region, supervisor, planned = LATE_STARTER
    add_user(store, handle, {"name": name, "email": f"{handle}@example.fi", "roles": roles, "planned": planned,
                             "region": region, "supervisor": supervisor}, admin)
    set_region(store, region, {"sales": handle}, admin)


def build_history(store):
    """Play the demo quarter into `store` (ids drawn from the seeded generator)."""
    demo = Demo(store)
    with ids.seeded(demo.rng):
        demo.run()
    return demo
