"""`check` with its findings cache says exactly what it says without one, whatever changed since the last run:
hand edits, deletions, an id copied behind crmctl's back, a shared unique value, the configuration, the date."""

import shutil

import yaml

CACHE = ".cache/check.sqlite"
LATER = "2011-03-25T10:00:00+02:00"


def check_twice(run, store, *extra):
    """`check` with the cache the previous runs left, then with no cache at all: the same output and exit code."""
    warm = run("--lang", "en", "check", *extra)
    for path in (store.root / ".cache").glob("check.sqlite*"):
        path.unlink()
    cold = run("--lang", "en", "check", *extra)
    assert (warm.exit_code, warm.stdout, warm.stderr) == (cold.exit_code, cold.stdout, cold.stderr)
    assert (store.root / CACHE).is_file()
    return warm


def errors(result):
    return [line for line in result.stdout.splitlines() if ": error: " in line]


def new(run, *pairs):
    done = run(*pairs)
    assert done.exit_code == 0, done.stderr
    return done.stdout.strip()


def request(run, *extra):
    return new(run, "sr", "new", "title=Lasku", "subject=billing", "phone=040 1234567", *extra)


def path_of(store, record_id):
    return store.path_of(record_id)


def edit(path, old, new_text):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new_text, 1))


def test_edits_by_hand_are_seen_and_the_same_as_without_cache(run, store):
    first = request(run, "customer=CUST-GENERAL", "person_name=Matti")
    second = request(run, "customer=CUST-GENERAL", "person_name=Maija")
    assert check_twice(run, store).exit_code == 0
    edit(path_of(store, first), "subject: billing", "subject: bills")
    broken = check_twice(run, store)
    assert broken.exit_code == 1
    [error] = errors(broken)
    assert f"{first}.yaml:" in error and "error: invalid: subject (Subject)" in error
    edit(path_of(store, first), "subject: bills", "subject: billing")
    fixed = check_twice(run, store)
    assert fixed.exit_code == 0 and f"{second}.yaml" in fixed.stdout


def test_a_deleted_record_breaks_the_unchanged_records_that_refer_to_it(run, store):
    customer = new(run, "customer", "new", "name=Oy", "kind=person", "customer_number=1")
    referring = request(run, f"customer={customer}")
    assert check_twice(run, store).exit_code == 0
    run("--lang", "en", "check")  # the cache now knows both files
    path_of(store, customer).unlink()
    gone = check_twice(run, store)
    [error] = errors(gone)
    assert f"{referring}.yaml:" in error and customer in error


def test_an_id_copied_behind_crmctls_back(run, store):
    first = request(run, "customer=CUST-GENERAL", "person_name=Matti")
    run("--lang", "en", "check")
    source = path_of(store, first)
    (source.parent.parent / "02").mkdir()
    shutil.copy(source, source.parent.parent / "02" / source.name)  # the same id in the wrong month
    shutil.copy(source, source.parent / "SR-20110125-ZZZZZ.yaml")  # the same id under another name
    copied = check_twice(run, store)
    assert copied.exit_code == 1
    codes = [line.split(": ")[2] for line in errors(copied)]
    assert sorted(codes) == ["duplicate-id", "duplicate-id", "id-mismatch", "path-mismatch"]


def test_a_unique_value_shared_with_an_unchanged_record(run, store):
    one = new(run, "customer", "new", "name=Yksi", "kind=person", "customer_number=100")
    two = new(run, "customer", "new", "name=Kaksi", "kind=person", "customer_number=200")
    run("--lang", "en", "check")
    edit(path_of(store, two), "customer_number: '200'", "customer_number: '100'")
    shared = check_twice(run, store)
    duplicates = [line for line in shared.stdout.splitlines() if ": error: duplicate: " in line]
    assert len(duplicates) == 2  # files in path order: the ids are random, so either may come first
    pairs = {(line.split(".yaml:")[0].rsplit("/", 1)[-1], line.rsplit(" ", 1)[-1]) for line in duplicates}
    assert pairs == {(one, two), (two, one)}


def test_a_changed_configuration_is_seen(run, store):
    request(run, "customer=CUST-GENERAL", "person_name=Matti")
    run("--lang", "en", "check")
    users = store.root / "users.yaml"
    people = yaml.safe_load(users.read_text())
    people["uusi.kayttaja"] = {"name": "Uusi", "email": "uusi@example.fi", "roles": ["customer_service"]}
    users.write_text(yaml.safe_dump(people, sort_keys=False, allow_unicode=True))
    assert check_twice(run, store).exit_code == 0
    vocabularies = store.root / "config" / "vocabularies.yaml"
    edit(vocabularies, "  - {key: billing, fi: Laskutus, en: Billing}\n", "")
    narrowed = check_twice(run, store)
    assert narrowed.exit_code == 1 and "'billing' is not an allowed value" in narrowed.stdout
    del people["mette.murto"]
    users.write_text(yaml.safe_dump(people, sort_keys=False, allow_unicode=True))
    assert "unknown-user" in check_twice(run, store).stdout


def test_findings_that_depend_on_today_follow_the_date(run, store, monkeypatch):
    rules = store.root / "config" / "types" / "service_request.yaml"
    edit(rules, "rules:\n", "rules:\n  - when: [\"overdue = true\"]\n    recommend: [severity]\n")
    late = request(run, "customer=CUST-GENERAL", "person_name=Matti")
    on_time = check_twice(run, store)
    assert "severity" not in on_time.stdout
    run("--lang", "en", "check")
    monkeypatch.setenv("CRMCTL_NOW", LATER)
    overdue = check_twice(run, store)
    [added] = set(overdue.stdout.splitlines()) - set(on_time.stdout.splitlines())
    assert f"{late}.yaml" in added and "warning: recommended: severity" in added
    monkeypatch.setenv("CRMCTL_NOW", "2011-01-25T10:00:00+02:00")
    run("--lang", "en", "check")
    assert check_twice(run, store).stdout == on_time.stdout


def test_the_cache_does_not_hide_a_finding_in_the_other_language(run, store):
    first = request(run, "customer=CUST-GENERAL", "person_name=Matti")
    edit(path_of(store, first), "subject: billing", "subject: bills")
    english = run("--lang", "en", "check")
    finnish = run("--lang", "fi", "check")
    assert english.stdout != finnish.stdout and "subject" in finnish.stdout
    assert run("--lang", "en", "check").stdout == english.stdout


def test_check_of_some_paths_with_a_warm_cache(run, store):
    one = new(run, "customer", "new", "name=Yksi", "kind=person", "customer_number=100")
    two = new(run, "customer", "new", "name=Kaksi", "kind=person", "customer_number=200")
    run("--lang", "en", "check")
    edit(path_of(store, two), "customer_number: '200'", "customer_number: '100'")
    only = check_twice(run, store, str(path_of(store, one)))
    [error] = errors(only)
    assert only.exit_code == 1 and f"{one}.yaml" in error and two in error and two not in only.stdout.replace(error, "")
