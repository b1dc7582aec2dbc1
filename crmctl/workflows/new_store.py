"""Making a new store: the default configuration and the general customer."""

import shutil
from pathlib import Path

from crmctl.kernel.errors import StoreError
from crmctl.kernel.resources import defaults_dir
from crmctl.engine.records import SYSTEM_USER, event, ordered
from crmctl.store.files import ignore_leftovers
from crmctl.store.store import CACHE_DIR, MARKER, Store
from crmctl.workflows.account_requests import GENERAL_CUSTOMER

GENERAL_CUSTOMER_NAME = "_Asiakaspalvelun yleisasiakas"


def create_store(path):
    """Write a store with the default configuration at `path`; returns it."""
    root = Path(path)
    if (root / MARKER).exists():
        raise StoreError(code="store.exists", root=root)
    if root.exists() and not root.is_dir():
        raise StoreError(code="store.not_a_folder", root=root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(defaults_dir(), root, dirs_exist_ok=True)
        for name in ("users.yaml", "regions.yaml"):
            if not (root / name).exists():
                (root / name).write_text("{}\n", encoding="utf-8")
        (root / CACHE_DIR).mkdir(exist_ok=True)
        (root / CACHE_DIR / ".gitignore").write_text("*\n")
        ignore_leftovers(root)
    except (OSError, shutil.Error) as err:
        raise StoreError(code="store.cannot_create", root=root, reason=getattr(err, "strerror", None) or err) from None
    store = Store(root)
    ensure_general_customer(store)
    return store


def ensure_general_customer(store):
    """The customer that calls from non-customers are logged against (fixed id, never deleted)."""
    if store.exists(GENERAL_CUSTOMER):
        return
    rtype = store.type_of(GENERAL_CUSTOMER)
    record = {
        "id": GENERAL_CUSTOMER,
        "name": GENERAL_CUSTOMER_NAME,
        "kind": "person",
        "notes": "Asiakaspalvelun yleisasiakas: puhelut soittajilta, jotka eivät (vielä) ole asiakkaita.\n"
                 "General customer-service customer: calls from callers who are not (yet) customers.",
        "history": [event(store, SYSTEM_USER, "created")],
    }
    with store.lock():
        store.save(ordered(rtype, record))
