"""Scratch stores the manual is built from: a fresh default store, and the store its examples run on.

The examples' store has the described store's configuration and the manual's
own small cast of people (not the demo company's), at a fixed moment.
"""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from crmctl.engine.directory import add_people
from crmctl.kernel.clock import frozen_time
from crmctl.store.store import CACHE_DIR, Store
from crmctl.workflows.new_store import create_store, ensure_general_customer

EXAMPLE_NOW = "2011-01-25T10:00:00+02:00"
# The cast the examples (templates/manual/examples.yaml) act as and hand work to: two customer-service
# people, their supervisor (escalations go to her), one seller per region the examples use.
PEOPLE = {
    "sanna.salo": {"name": "Sanna Salo", "roles": ["customer_service", "admin"]},
    "mette.murto": {"name": "Mette Murto", "roles": ["customer_service", "admin"], "supervisor": "sanna.salo"},
    "taija.halme": {"name": "Taija Halme", "roles": ["customer_service"], "supervisor": "sanna.salo"},
    "jussi.myyja": {"name": "Jussi Myyjä", "roles": ["sales"], "region": "kotka", "supervisor": "sanna.salo"},
    "kaisa.kauppinen": {"name": "Kaisa Kauppinen", "roles": ["sales"], "region": "helsinki",
                        "supervisor": "sanna.salo"},
}
REGIONS = {
    "kotka": {"name": "Kotka", "sales": "jussi.myyja", "customer_service": "mette.murto"},
    "helsinki": {"name": "Helsinki", "sales": "kaisa.kauppinen", "customer_service": "taija.halme"},
}


@contextmanager
def default_store():
    """A fresh `crmctl init` store in a temporary directory: the default configuration."""
    with tempfile.TemporaryDirectory(prefix="crmctl-defaults-") as scratch, frozen_time(EXAMPLE_NOW):
        yield create_store(Path(scratch) / "store")


def example_store(source, path):
    """A scratch store with `source`'s configuration and the manual's people, at `path`."""
    path = Path(path)
    path.mkdir(parents=True)
    shutil.copy(source.root / "crmctl.yaml", path / "crmctl.yaml")
    shutil.copytree(source.root / "config", path / "config")
    for name in ("users.yaml", "regions.yaml"):
        (path / name).write_text("{}\n", encoding="utf-8")
    (path / CACHE_DIR).mkdir()
    with frozen_time(EXAMPLE_NOW):
        store = Store(path)
        ensure_general_customer(store)
        add_people(store, {handle: {"email": f"{handle}@example.fi", **values} for handle, values in PEOPLE.items()},
                   REGIONS)
    store.reload_config()
    return store
