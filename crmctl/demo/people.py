"""The fictional demo company: users, regions and a few records made through crmctl's own API."""

from crmctl.engine.directory import add_region, add_user
from crmctl.kernel.clock import frozen_time

USERS = [
    ("mette.murto", "Mette Murto", ["customer_service", "admin"], "kotka", "sanna.salo", True),
    ("taija.halme", "Taija Halme", ["customer_service"], "kotka", "sanna.salo", True),
    ("sanna.salo", "Sanna Salo", ["customer_service", "admin"], "helsinki", None, True),
    ("jussi.myyja", "Jussi Myyjä", ["sales"], "kotka", "sanna.salo", True),
    ("kaisa.kauppinen", "Kaisa Kauppinen", ["sales"], "helsinki", "sanna.salo", True),
    ("teemu.tekninen", "Teemu Tekninen", ["technical"], "kotka", "sanna.salo", True),
]
REGIONS = [
    ("kotka", "Kotka", {"sales": "jussi.myyja", "customer_service": "mette.murto", "technical": "teemu.tekninen"}),
    ("helsinki", "Helsinki", {"sales": "kaisa.kauppinen", "customer_service": "taija.halme",
                              "technical": "teemu.tekninen"}),
    ("tampere", "Tampere", {"sales": "kaisa.kauppinen", "customer_service": "taija.halme",
                            "technical": "teemu.tekninen"}),
]


def add_people(store):
    """The demo users and regions (users first without supervisors, then the supervisors set)."""
    admin = None
    for handle, name, roles, _region, _supervisor, planned in sorted(USERS, key=lambda u: u[4] is not None):
        add_user(store, handle, {"name": name, "email": f"{handle}@example.fi", "roles": roles,
                                 "planned": planned}, admin)
        admin = admin or handle
    for key, name, owners in REGIONS:
        add_region(store, key, {"name": name, **owners}, admin)
    from crmctl.engine.directory import set_user

    for handle, _name, _roles, region, supervisor, _planned in USERS:
        values = {"region": region}
        if supervisor:
            values["supervisor"] = supervisor
        set_user(store, handle, values, admin)
    return admin


DEMO_START = "2011-01-03T06:00:00+02:00"


def create_demo_store(path):
    """A new store holding the demo company: the same bytes every time (frozen time, seeded ids)."""
    from crmctl.workflows.new_store import create_store

    with frozen_time(DEMO_START):
        store = create_store(path)
    build_demo(store)
    return store


def build_demo(store):
    """Fill a fresh store with the demo company and its first quarter, Jan–Mar 2011 (deterministic)."""
    from crmctl.demo.history import add_late_starter, build_history

    with frozen_time(DEMO_START):
        admin = add_people(store)
        add_late_starter(store, admin)
    store.reload_config()
    build_history(store)
