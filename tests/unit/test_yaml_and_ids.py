"""Canonical YAML and record ids: the kernel pieces of issue 2's foundation (from test_foundation)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from crmctl.kernel import ids
from crmctl.kernel import yamlio


def test_canonical_yaml_round_trips_byte_for_byte():
    record = {
        "id": "SR-20110125-8HX3D",
        "title": "Ääkköset ja “lainaukset”: 'yes' no 0123 2011-01-25",
        "received": date(2011, 1, 25),
        "description": "Rivi 1\nRivi 2\n",
        "meter_reading": 48213,
        "history": [{"at": datetime(2011, 1, 25, 10, 0, tzinfo=timezone(timedelta(hours=2))),
                     "by": "mette.murto", "event": "created"}],
    }
    shared = {"address": "Gunnarintie 5"}
    record["site"] = shared
    record["other_site"] = shared  # the same object twice never becomes an anchor and alias
    text = yamlio.dump(record)
    assert "&" not in text and "*" not in text and "!!" not in text
    assert "received: 2011-01-25\n" in text
    assert "- at: 2011-01-25T10:00:00+02:00\n" in text
    assert "description: |\n  Rivi 1\n  Rivi 2\n" in text
    assert "Ääkköset" in text and text.endswith("\n") and "\r" not in text
    assert yamlio.dump(yamlio.load(text)) == text


def test_ids_are_random_crockford_base32_and_collision_checked():
    made = ids.new_id("SR", date(2011, 1, 25))
    assert ids.RANDOM_ID.match(made) and made.startswith("SR-20110125-")
    assert not set(made[-5:]) & set("ILOU")
    calls = []

    def is_taken(candidate):
        calls.append(candidate)
        return len(calls) < 3  # the first two candidates collide
    assert ids.new_id("SR", date(2011, 1, 25), is_taken) == calls[-1] and len(calls) == 3
    with pytest.raises(RuntimeError):
        ids.new_id("SR", date(2011, 1, 25), lambda candidate: True)
