"""The store's atomic write: fsync by default; CRMCTL_FSYNC=0 (the test suite's switch) skips it."""

import os

import pytest

from crmctl.store import store as store_module


@pytest.mark.parametrize("setting, fsyncs", [(None, 1), ("1", 1), ("0", 0)])
def test_atomic_write_fsyncs_unless_the_test_switch_is_off(tmp_path, monkeypatch, setting, fsyncs):
    calls = []
    monkeypatch.setattr(store_module.os, "fsync", lambda fd: calls.append(fd))
    if setting is None:
        monkeypatch.delenv("CRMCTL_FSYNC", raising=False)
    else:
        monkeypatch.setenv("CRMCTL_FSYNC", setting)
    target = tmp_path / "record.yaml"
    store_module._atomic_write(target, b"id: X\n")
    assert target.read_bytes() == b"id: X\n"
    assert len(calls) == fsyncs
    assert [p.name for p in tmp_path.iterdir()] == ["record.yaml"]


def test_the_suite_runs_without_fsync():
    assert os.environ.get("CRMCTL_FSYNC") == "0"
