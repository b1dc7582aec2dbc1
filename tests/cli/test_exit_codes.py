"""The same mistake gets the same exit code in every command (cli.md, "Exit codes"; issue 15 item 1).

1: the data or the request is wrong (a missing reason=/resolution=/customer_number= that a move needs, an unknown
id, user, view or stage, a transition not allowed, a bad field value). 2: the command line's shape is wrong (an
unknown command, option, record type or report, a missing positional argument, options that exclude each other,
a --format the command does not produce). Either way nothing is written and stdout stays empty.
"""

import pytest

from conftest import copy_of_store, new_request, snapshot, store_built_once

LEAD = ("topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567", "source=phone", "region=kotka")
FORM = ("name=Puupää Oy", "kind=business", "business_id=1572860-0", "contact_person=Pekka Puupää",
        "phone=040 1234567", "billing_address.street=Gunnarintie 5", "billing_address.postal_code=48100",
        "billing_address.city=Kotka", "segment=potential", "region=kotka")
PROJECT = ("type=gas_connection", "customer=CUST-GENERAL", "region=kotka", "title=Maakaasuliittymä Gunnarintie 5",
           "value=12000")
UNKNOWN_SR = "SR-20110125-ZZZZZ"


def _records(run):
    made = {"sr": new_request(run)}
    made["lead"] = run("lead", "new", *LEAD).stdout.strip()
    made["form"] = run("request", "new", *FORM, "--as", "jussi.myyja").stdout.strip()
    assert run("request", "send", made["form"], "--as", "jussi.myyja").exit_code == 0
    made["project"] = run("project", "new", *PROJECT).stdout.strip()
    assert all(made.values()), made
    return made


@pytest.fixture(scope="module")
def made(tmp_path_factory, peopled_store_template):
    """A store with one record of each kind the cases name: {sr}, {lead}, {form} (sent), {project}; built once,
    copied for each case."""
    return store_built_once(tmp_path_factory, peopled_store_template, "exit_codes", _records)


@pytest.fixture
def store(tmp_path, made):
    return copy_of_store(made[0], tmp_path)


@pytest.fixture
def ids(made):
    return made[1]


DATA_WRONG = [  # exit 1
    # a missing reason= / resolution= / customer_number= that the move needs
    "sr status {sr} cancelled",
    "project close {project} --lost",
    "project close {project} --completed --force",
    "project stage complete {project} --force",
    "project stage skip {project} needs_assessment",
    "lead handle {lead} --no-action",
    "request reject {form}",
    "request process {form}",
    # unknown names
    f"sr show {UNKNOWN_SR}",
    "sr show nonsense",
    f"sr set {UNKNOWN_SR} title=x",
    "sr delegate {sr} nobody",
    "sr list --view nosuch",
    "project stage skip {project} nosuch reason=x",
    "project stage assign {project} needs_assessment nobody",
    "sr status {sr} nosuch",
    "inbox --user nobody",
    "--as nobody sr set {sr} title=x",
    # a transition not allowed, a bad value
    "project stage complete {project} offer",
    "sr set {sr} subject=nosuch",
    "user add Bad.Handle name=X email=x@example.fi roles=sales region=kotka",
    "user add ../x name=X email=x@example.fi roles=sales region=kotka",
    "user add new.user name=X email=not-an-email roles=sales region=kotka",
    "region add Ou.lu name=Oulu",
]

SHAPE_WRONG = [  # exit 2
    # unknown command, option, record type, report
    "sr frobnicate",
    "frobnicate",
    "sr list --nosuch",
    "export nosuch --format csv",
    "import nosuch records.csv",
    "report nosuch",
    # a missing positional argument
    "sr show",
    "sr status {sr}",
    "project stage skip {project}",
    "user add",
    # options that exclude each other (or need each other)
    "project close {project} --lost --completed reason=x",
    "project close {project}",
    "project close {project} --lost --force reason=x",
    "project stage complete {project} reason=x",
    # a format the command does not produce
    "sr show {sr} --format jsonl",
    "sr list --format jsonl",
    "sr new title=x --format json",
    "check --format csv",
    "report quality --format csv",
    "export sr --format table",
    "user list --format jsonl",
    "report quality --format svg",
    "report quality --out quality.csv",
]


def _run(run, store, ids, line):
    args = [word.format(**ids) for word in line.split()]
    before = snapshot(store.root)
    result = run("--lang", "en", *args)
    assert snapshot(store.root) == before, line  # a failed command changes nothing on disk
    assert result.stdout == "", line
    return result


@pytest.mark.parametrize("line", DATA_WRONG)
def test_wrong_data_or_request_is_exit_1(run, store, ids, line):
    result = _run(run, store, ids, line)
    assert result.exit_code == 1, (line, result.stderr)
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("line", SHAPE_WRONG)
def test_wrong_command_line_shape_is_exit_2(run, store, ids, line):
    result = _run(run, store, ids, line)
    assert result.exit_code == 2, (line, result.stderr)
    assert "Error: " in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_missing_reason_is_exit_1_in_finnish_too(run, ids):
    result = run("lead", "handle", ids["lead"], "--no-action")
    assert (result.exit_code, result.stderr) == (1, "Virhe: --no-action vaatii syyn (reason=...)\n")
