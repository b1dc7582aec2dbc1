"""`crmctl check` reuses parses of unchanged bytes, and never misses a change."""

from crmctl.checks.store_check import ParseCache, check_store


def test_check_with_a_warm_parse_cache_finds_the_same_and_sees_every_change(run, store):
    request = run("sr", "new", "title=Lukema", "customer=CUST-GENERAL", "person_name=M",
                  "subject=meter_reading", "meter_reading=100").stdout.strip()
    path = store.root / "service-requests" / "2011" / "01" / f"{request}.yaml"
    cold = run("--lang", "en", "check")
    assert (store.root / ".cache" / "check.pickle").is_file()
    warm = run("--lang", "en", "check")
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout) == (0, cold.stdout)

    path.write_text(path.read_text().replace("meter_reading: 100", "meter_reading: !!python/name:os.system"))
    tagged = run("--lang", "en", "check")
    assert tagged.exit_code == 1
    assert ": error: tag: YAML tags are not allowed (tag:yaml.org,2002:python/name:os.system)" in tagged.stdout

    text = path.read_text().replace("meter_reading: !!python/name:os.system", "meter_reading: 100")
    path.write_text(text.replace("title: Lukema", 'title: "Lukema"'))
    quoted = run("--lang", "en", "check")
    assert quoted.exit_code == 0
    assert ": warning: not-canonical: " in quoted.stdout  # same value, other bytes: parsed afresh


def test_parse_cache_hands_out_copies(store, tmp_path):
    cache = ParseCache(tmp_path / "parsed.pickle")
    raw = b"id: CUST-GENERAL\nname: x\n"
    first, _, canonical = cache.parse(raw)
    first["name"] = "changed"
    assert cache.parse(raw)[0]["name"] == "x" and canonical
    cache.save()
    again = ParseCache(tmp_path / "parsed.pickle")
    assert again.parse(raw)[0] == {"id": "CUST-GENERAL", "name": "x"}


def test_damaged_cache_is_ignored(store):
    (store.root / ".cache" / "check.pickle").write_bytes(b"not a pickle")
    assert [f for f in check_store(store, "en") if f.level == "error"] == []
