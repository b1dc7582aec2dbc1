"""Bad input gets a clear error naming the field or line, the right exit code, and changes nothing.

Each case is the issue's list: missing/unknown fields, wrong enum values,
invalid dates, `received` in the future, malformed business IDs and HETUs,
newlines in one-line values, 1 MB values, path-like ids, YAML tags, alias
bombs, merge-conflict markers, invalid UTF-8, binary values, and a record
whose id does not match its path.
"""

import pytest

from conftest import snapshot

SR_OK = ("title=Mittarilukema", "customer=CUST-GENERAL", "person_name=Matti Meikäläinen", "subject=billing")
MEGABYTE = "a" * 1_000_000
BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
)


def rejected(result, *stderr_lines, code=1):
    """The command failed with exactly these `Error: ...` lines and printed nothing on stdout."""
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == list(stderr_lines)


def errors_of(checked):
    """The error lines of `crmctl check` output (warnings about recommended fields left out)."""
    return [line for line in checked.stdout.splitlines() if ": error: " in line]


@pytest.fixture
def sr(run):
    result = run("sr", "new", *SR_OK)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def sr_path(store, sr):
    return store.root / "service-requests" / "2011" / "01" / f"{sr}.yaml"


# -- field values given on the command line --------------------------------------------------

FIELD_CASES = {
    "missing required": (
        ["sr", "new", "title=Soitto", "customer=CUST-GENERAL"],
        ["  subject (Subject): required",
         "  person_name (Person name): required when customer = CUST-GENERAL"]),
    "unknown field": (
        ["customer", "new", "name=Oy Ab", "kind=person", "colour=blue"],
        ["  colour (colour): unknown field"]),
    "wrong enum value": (
        ["sr", "new", *SR_OK, "priority=urgent"],
        ["  priority (Priority): 'urgent' is not an allowed value; allowed: high, normal, low"]),
    "impossible date": (
        ["sr", "new", *SR_OK, "received=2011-02-30"],
        ["  received (Received): must be a date YYYY-MM-DD"]),
    "not a date": (
        ["sr", "new", *SR_OK, "received=yesterday"],
        ["  received (Received): must be a date YYYY-MM-DD"]),
    "received in the future": (
        ["sr", "new", *SR_OK, "received=2011-01-26"],
        ["  received (Received): cannot be in the future"]),
    "dates out of order": (
        ["sr", "new", *SR_OK, "received=2011-01-20", "follow_up_by=2011-01-19"],
        ["  follow_up_by (Follow up by): cannot be before Received"]),
    "business id without check digit": (
        ["customer", "new", "name=Oy Ab", "kind=business", "business_id=1572860"],
        ["  business_id (Business ID): invalid: must be of the form 1234567-8"]),
    "business id with wrong check digit": (
        ["customer", "new", "name=Oy Ab", "kind=business", "business_id=1572860-1"],
        ["  business_id (Business ID): invalid: check digit does not match"]),
    "business customer without business id": (
        ["customer", "new", "name=Oy Ab", "kind=business"],
        ["  business_id (Business ID): required when kind = business"]),
    "malformed hetu": (
        ["customer", "new", "name=Matti", "kind=person", "personal_id=131052308T"],
        ["  personal_id (Personal identity code): invalid: must be of the form DDMMYYCZZZQ"]),
    "hetu with wrong checksum": (
        ["customer", "new", "name=Matti", "kind=person", "personal_id=131052-308A"],
        ["  personal_id (Personal identity code): invalid: check character does not match"]),
    "hetu with impossible birth date": (
        ["customer", "new", "name=Matti", "kind=person", "personal_id=310252-308T"],
        ["  personal_id (Personal identity code): invalid: date of birth is not a real date"]),
    "newline in a one-line field": (
        ["sr", "new", "title=Mittari\nlukema", *SR_OK[1:]],
        ["  title (Title): must be one line"]),
    "newline in a phone number": (
        ["sr", "new", *SR_OK, "phone=040\n1234567"],
        ["  phone (Phone): must be one line"]),
    "carriage return in a name": (
        ["customer", "new", "name=Matti\rMeikäläinen", "kind=person"],
        ["  name (Name): must be one line"]),
    "1 MB one-line value": (
        ["sr", "new", "title=" + MEGABYTE, *SR_OK[1:]],
        ["  title (Title): too long (at most 200 characters)"]),
    "1 MB multi-line value": (
        ["sr", "new", *SR_OK, "description=" + MEGABYTE],
        ["  description (Description): too long (at most 20000 characters)"]),
    "1 MB phone number": (
        ["customer", "new", "name=Matti", "kind=person", "phone=" + "1" * 1_000_000],
        ["  phone (Phone): too long (at most 500 characters)"]),
    "binary (NUL) in a value": (
        ["sr", "new", "title=Mittari\x00lukema", *SR_OK[1:]],
        ["  title (Title): must not contain control characters"]),
    "binary (escape) in a text value": (
        ["sr", "new", *SR_OK, "description=rivi\x1b[31m"],
        ["  description (Description): must not contain control characters"]),
    "path-like customer reference": (
        ["sr", "new", "title=x", "customer=../../etc/passwd", "person_name=M", "subject=billing"],
        ["  customer (Customer): '../../etc/passwd' is not an id"]),
    "unknown user": (
        ["sr", "new", *SR_OK, "owner=nobody"],
        ["  owner (Owner): unknown user 'nobody'"]),
    "unknown region": (
        ["customer", "new", "name=Matti", "kind=person", "region=atlantis"],
        ["  region (Region): unknown region 'atlantis'"]),
}


@pytest.mark.parametrize("args, problems", FIELD_CASES.values(), ids=list(FIELD_CASES))
def test_bad_field_value_is_rejected_naming_the_field(run, store, args, problems):
    before = snapshot(store.root)
    result = run("--lang", "en", *args)
    rejected(result, "Error: the record breaks these rules:", *problems)
    assert snapshot(store.root) == before


def test_every_broken_rule_is_listed_in_finnish_by_default(run, store):
    before = snapshot(store.root)
    result = run("sr", "new", "title=a\nb", "customer=CUST-GENERAL", "priority=kiireellinen", "received=2011-13-01")
    rejected(result,
             "Virhe: tietue rikkoo näitä sääntöjä:",
             "  title (Otsikko): arvon pitää olla yksi rivi",
             "  priority (Prioriteetti): 'kiireellinen' ei ole sallittu arvo; sallitut: high, normal, low",
             "  received (Saapumispäivä): pitää olla päivämäärä VVVV-KK-PP",
             "  subject (Aihe): pakollinen tieto",
             "  person_name (Henkilön nimi): pakollinen, kun customer = CUST-GENERAL")
    assert snapshot(store.root) == before


@pytest.mark.parametrize("pair, problem", [
    ("received=2011-01-26", "  received (Received): cannot be in the future"),
    ("subject=weather", "  subject (Subject): 'weather' is not an allowed value; allowed: meter_reading, "
                        "gas_contract, billing, sales_inquiry, callback, feedback, fault, other"),
    ("title=", "  title (Title): required"),
    ("title=" + MEGABYTE, "  title (Title): too long (at most 200 characters)"),
    ("nonsense=1", "  nonsense (nonsense): unknown field"),
    ("history=[]", "  history (history): unknown field"),
])
def test_bad_set_is_rejected_and_the_file_is_unchanged(run, store, sr, pair, problem):
    before = snapshot(store.root)
    rejected(run("--lang", "en", "sr", "set", sr, pair), "Error: the record breaks these rules:", problem)
    assert snapshot(store.root) == before


# -- path-like ids -----------------------------------------------------------------------------

@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "SR-1/../x", "/etc/passwd", "SR-20110125-AAAAA/..", ".."])
@pytest.mark.parametrize("verb", [["show"], ["history"], ["set", "{id}", "title=x"], ["edit"],
                                  ["status", "{id}", "done", "resolution=x"]])
def test_path_like_ids_are_refused_before_touching_files(run, store, sr, monkeypatch, bad_id, verb):
    monkeypatch.setenv("EDITOR", "false")  # never reached
    args = [a.format(id=bad_id) for a in verb] if "{id}" in verb else verb + [bad_id]
    before = snapshot(store.root)
    rejected(run("sr", *args), f"Virhe: ei tietueen tunniste: {bad_id!r}", code=1)
    assert snapshot(store.root) == before


@pytest.mark.parametrize("document, problem", [
    ("id: ../../etc/passwd\n", "  id (id): set by crmctl, not by hand"),
    ("id: SR-1/../x\n", "  id (id): set by crmctl, not by hand"),
    ("customer: SR-1/../x\n", "  customer (Customer): 'SR-1/../x' is not an id"),
    ("customer: ../../customers/2011/01/CUST-GENERAL\n",
     "  customer (Customer): '../../customers/2011/01/CUST-GENERAL' is not an id"),
])
def test_path_like_ids_in_from_file_are_refused(run, store, document, problem):
    fields = "title: x\ncustomer: CUST-GENERAL\nperson_name: M\nsubject: billing\n"
    fields = "\n".join(line for line in fields.splitlines() if line.split(":")[0] not in document) + "\n"
    before = snapshot(store.root)
    result = run("--lang", "en", "sr", "new", "--from-file", "-", input=fields + document)
    rejected(result, "Error: the record breaks these rules:", problem)
    assert snapshot(store.root) == before


def test_edit_cannot_move_a_record_to_a_path_like_id(run, store, sr, monkeypatch):
    monkeypatch.setenv("EDITOR", "sed -i 's|^id: .*|id: ../../etc/passwd|'")
    before = snapshot(store.root)
    rejected(run("sr", "edit", sr), "Virhe: tunnistetta ei voi muuttaa")
    assert snapshot(store.root) == before


# -- YAML documents given with --from-file -------------------------------------------------------

YAML_CASES = {
    "python object tag": (
        b"title: x\nsubject: !!python/object/apply:os.system ['touch pwned']\n",
        "Error: <stdin>:2: YAML tags are not allowed (tag:yaml.org,2002:python/object/apply:os.system)"),
    "python name tag": (
        b"title: !!python/name:os.system\n",
        "Error: <stdin>:1: YAML tags are not allowed (tag:yaml.org,2002:python/name:os.system)"),
    "binary tag": (
        b"title: x\ndescription: !!binary aGVsbG8=\n",
        "Error: <stdin>:2: YAML tags are not allowed (tag:yaml.org,2002:binary)"),
    "alias bomb": (BILLION_LAUGHS.encode(), "Error: <stdin>:1: YAML anchors are not allowed"),
    "merge-conflict markers": (
        b"title: x\n<<<<<<< HEAD\nsubject: billing\n=======\nsubject: fault\n>>>>>>> theirs\n",
        "Error: <stdin>:2: merge-conflict marker"),
    "invalid UTF-8": (b"title: x\nperson_name: Matti M\xe4kinen\n", "Error: <stdin>:2: invalid UTF-8 at byte 29"),
    "NUL byte": (b"title: x\n\ndescription: a\x00b\n", "Error: <stdin>:3: unparsable YAML: control character #x0000 is not allowed"),
    "unparsable": (b"title: [x\nsubject: billing\n", "Error: <stdin>:2: unparsable YAML: did not find expected ',' or ']'"),
    "not a mapping": (b"- title\n- x\n", "Error: <stdin>: expected a mapping of fields"),
}


@pytest.mark.parametrize("document, error", YAML_CASES.values(), ids=list(YAML_CASES))
def test_unsafe_or_broken_yaml_from_file_is_refused_naming_the_line(run, store, tmp_path, document, error):
    before = snapshot(store.root)
    rejected(run("--lang", "en", "sr", "new", "--from-file", "-", input=document), error)
    path = tmp_path / "fields.yaml"
    path.write_bytes(document)
    rejected(run("--lang", "en", "sr", "new", "--from-file", str(path)), error.replace("<stdin>", str(path)))
    assert snapshot(store.root) == before
    assert not (tmp_path / "pwned").exists()


def test_one_megabyte_value_from_file_is_refused(run, store):
    before = snapshot(store.root)
    document = f"title: {MEGABYTE}\ncustomer: CUST-GENERAL\nperson_name: M\nsubject: billing\n"
    rejected(run("--lang", "en", "sr", "new", "--from-file", "-", input=document),
             "Error: the record breaks these rules:", "  title (Title): too long (at most 200 characters)")
    assert snapshot(store.root) == before


def test_non_text_values_from_file_are_refused(run, store):
    before = snapshot(store.root)
    document = "title: [a, b]\ncustomer: CUST-GENERAL\nperson_name: {first: M}\nsubject: billing\nmeter_reading: true\n"
    rejected(run("--lang", "en", "sr", "new", "--from-file", "-", input=document),
             "Error: the record breaks these rules:",
             "  title (Title): must be text",
             "  person_name (Person name): must be text",
             "  meter_reading (Meter reading): must be a whole number")
    assert snapshot(store.root) == before


# -- damaged record files in the store ---------------------------------------------------------

DAMAGE = {
    "python object tag": (lambda text, sr: text.replace("title: Mittarilukema", "title: !!python/object/apply:os.system ['touch pwned']"),
                          2, "tag", "YAML tags are not allowed (tag:yaml.org,2002:python/object/apply:os.system)"),
    "binary tag": (lambda text, sr: text.replace("title: Mittarilukema", "title: !!binary aGVsbG8="),
                   2, "tag", "YAML tags are not allowed (tag:yaml.org,2002:binary)"),
    "alias bomb": (lambda text, sr: text.replace("title: Mittarilukema\n", "title: Mittarilukema\n" + BILLION_LAUGHS),
                   3, "anchor", "YAML anchors are not allowed"),
    "merge-conflict markers": (
        lambda text, sr: text.replace("title: Mittarilukema\n",
                                      "<<<<<<< HEAD\ntitle: Mittarilukema\n=======\ntitle: Lukema\n>>>>>>> theirs\n"),
        2, "conflict", "merge-conflict marker"),
    "invalid UTF-8": (lambda text, sr: text.replace("Meikäläinen", "Meik\udce4l\udce4inen"),
                      4, "encoding", "invalid UTF-8 at byte 89"),
    "not a mapping": (lambda text, sr: "- " + sr + "\n", 1, "not-mapping", "a record file must hold a mapping"),
}


def damage(path, sr, how):
    path.write_bytes(how(path.read_text(), sr).encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize("how, line, code, message", DAMAGE.values(), ids=list(DAMAGE))
def test_damaged_record_file_is_refused_by_commands_and_reported_by_check(run, store, sr, sr_path, tmp_path,
                                                                          how, line, code, message):
    damage(sr_path, sr, how)
    shown = str(sr_path.resolve())
    before = snapshot(store.root)
    for args in (["show", sr], ["history", sr], ["set", sr, "title=x"], ["status", sr, "done", "resolution=x"]):
        rejected(run("--lang", "en", "sr", *args), f"Error: {shown}:{line}: {message}")
    listed = run("--lang", "en", "sr", "list", "-q")
    assert listed.exit_code == 0
    assert listed.stdout == ""
    assert listed.stderr == (f"Warning: {shown}:{line}: {message} (skipped; see `crmctl check`)\n"
                             "record files left out: 1 (see `crmctl check`)\n")  # issue 11 item 6: counted
    checked = run("--lang", "en", "check")
    assert checked.exit_code == 1
    assert checked.stdout == f"{shown}:{line}: error: {code}: {message}\n"
    assert snapshot(store.root) == before
    assert not (tmp_path / "pwned").exists()


def test_a_damaged_file_is_reported_in_the_stores_language(run, store, sr, sr_path, tmp_path):
    damage(sr_path, sr, DAMAGE["binary tag"][0])
    shown = str(sr_path.resolve())
    problem = "YAML-tagit eivät ole sallittuja (tag:yaml.org,2002:binary)"
    rejected(run("sr", "show", sr), f"Virhe: {shown}:2: {problem}")
    assert run("sr", "list", "-q").stderr == (f"Varoitus: {shown}:2: {problem} (ohitettu; katso `crmctl check`)\n"
                                              "tietuetiedostoja jätetty pois: 1 (katso `crmctl check`)\n")
    rejected(run("sr", "new", "--from-file", "-", input=b"title: !!binary aGVsbG8=\n"),
             "Virhe: <stdin>:1: YAML-tagit eivät ole sallittuja (tag:yaml.org,2002:binary)")


def test_record_whose_id_does_not_match_its_file_is_refused(run, store, sr, sr_path):
    other = "SR-20110125-AAAAA"
    sr_path.write_text(sr_path.read_text().replace(f"id: {sr}", f"id: {other}"))
    shown = str(sr_path.resolve())
    before = snapshot(store.root)
    message = f"id {other!r} does not match the file name {sr}.yaml"
    for args in (["show", sr], ["history", sr], ["set", sr, "title=x"]):
        rejected(run("sr", *args), f"Virhe: {shown}:1: {message}")
    assert run("sr", "list", "-q").stdout == ""
    checked = run("--lang", "en", "check")
    assert checked.exit_code == 1
    assert errors_of(checked) == [f"{shown}:1: error: id-mismatch: id {other} does not match the file name {sr}.yaml"]
    assert snapshot(store.root) == before  # set did not write a second file under the other id


def test_check_finds_a_record_in_the_wrong_month_folder_and_duplicate_ids(run, store, sr, sr_path):
    moved = sr_path.parent.parent / "02" / sr_path.name
    moved.parent.mkdir()
    moved.write_bytes(sr_path.read_bytes())
    checked = run("--lang", "en", "check")
    assert checked.exit_code == 1
    assert errors_of(checked) == [
        f"{moved.resolve()}:1: error: path-mismatch: {sr} belongs at {sr_path.resolve()}",
        f"{moved.resolve()}:1: error: duplicate-id: {sr} also in {sr_path.resolve()}",
    ]


def test_check_names_the_line_of_an_unknown_field_and_a_future_date(run, store, sr, sr_path):
    text = sr_path.read_text().replace("received: 2011-01-25", "received: 2011-02-01\ncolour: blue")
    sr_path.write_text(text)
    checked = run("--lang", "en", "check")
    assert checked.exit_code == 1
    shown = str(sr_path.resolve())
    assert errors_of(checked) == [
        f"{shown}:11: error: unknown_field: colour (colour): unknown field",
        f"{shown}:10: error: future: received (Received): cannot be in the future",
    ]


@pytest.mark.parametrize("damage_text, line, message", [
    (lambda text: text.replace("language: fi", "<<<<<<< HEAD\nlanguage: fi\n=======\nlanguage: en\n>>>>>>> theirs"),
     2, "merge-conflict marker"),
    (lambda text: text + "timezone: !!python/object/apply:os.system ['touch pwned']\n",
     5, "YAML tags are not allowed (tag:yaml.org,2002:python/object/apply:os.system)"),
])
def test_damaged_configuration_is_reported_with_its_line(run, store, tmp_path, damage_text, line, message):
    settings = store.root / "crmctl.yaml"
    settings.write_text(damage_text(settings.read_text()))
    before = snapshot(store.root)
    shown = str(settings.resolve())
    rejected(run("--lang", "en", "sr", "list"), f"Error: {shown}:{line}: {message}")
    checked = run("--lang", "en", "check")
    assert checked.exit_code == 1
    assert checked.stdout == f"{shown}:{line}: error: config: {message}\n"
    assert snapshot(store.root) == before
    assert not (tmp_path / "pwned").exists()


def test_windows_line_ends_in_multi_line_text_are_stored_as_line_feeds(run, store):
    created = run("sr", "new", *SR_OK, "description=rivi 1\r\nrivi 2\rrivi 3")
    assert created.exit_code == 0, created.stderr
    shown = run("--format", "json", "sr", "show", created.stdout.strip())
    assert '"description": "rivi 1\\nrivi 2\\nrivi 3"' in shown.stdout
