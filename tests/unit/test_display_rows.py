"""A long list's rows are worded once per (column, value) and masked by copying only what masking changes:
the same text and the same masked records as wording and masking each record on its own."""

import copy
import pickle
from datetime import datetime, timedelta, timezone

from crmctl.engine.query import Evaluator
from crmctl.present import display
from crmctl.store.store import Store



def test_rows_and_masks_are_each_records_own(demo):
    store = Store(demo)
    for key, rtype in store.config.types.items():
        records = list(store.records(rtype))
        if key == "service_request":  # equal moments in two offsets are worded apart; True is not 1
            records.append({**records[0], "id": "SR-X", "received": datetime(2011, 1, 1, 10, tzinfo=timezone.utc)})
            records.append({**records[0], "id": "SR-Y",
                            "received": datetime(2011, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))})
        before = pickle.dumps(records)
        secret = [k for k, field in rtype.fields.items() if field.get("confidential")]
        masked = list(map(display.masker(rtype), records))
        assert [pickle.dumps(m) for m in masked] == [pickle.dumps(_deep_mask(rtype, r, secret)) for r in records]
        assert pickle.dumps(records) == before  # the records themselves are untouched
        for lang in ("fi", "en"):
            evaluator = Evaluator(store, rtype, actor=None, lang=lang)
            columns = ["id", *rtype.fields, "due", "overdue", "created_at", "state"]
            columns = [c for c in columns if c in rtype.fields or c == "id" or c in evaluator.registry.derived]
            assert display.rows(evaluator, masked, columns, lang) == [
                display.row(evaluator, r, columns, lang) for r in masked]


def _deep_mask(rtype, record, secret):
    """The mask as it was: a deep copy with every confidential value and history change masked."""
    shown = copy.deepcopy(record)
    for key in secret:
        if shown.get(key):
            shown[key] = display._masked(rtype.fields[key], shown[key])
        for entry in shown.get("history") or []:
            changes = entry.get("changes") or {}
            if key in changes:
                changes[key] = [display._masked(rtype.fields[key], v) if v else v for v in changes[key]]
    return shown
