"""The fictional demo company: users, regions and a few records made through crmctl's own API."""

from crmctl.engine import directory
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
    """The demo users and regions; returns the admin who added them."""
    users = {handle: {"name": name, "email": f"{handle}@example.fi", "roles": roles, "planned": planned,
                      "region": region, "supervisor": supervisor}
             for handle, name, roles, region, supervisor, planned in USERS}
    regions = {key: {"name": name, **owners} for key, name, owners in REGIONS}
    return directory.add_people(store, users, regions)


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
