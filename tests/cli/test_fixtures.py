"""The shared fixtures keep their old meaning now that `store` copies a session-wide template."""

from conftest import NOW


def test_empty_store_has_no_users(empty_store):
    assert empty_store.config.users == {}
    assert empty_store.exists("CUST-GENERAL")


def test_a_test_using_both_stores_gets_one_peopled_store(empty_store, run):
    assert empty_store.config.users
    record_id = run("sr", "new", "title=T", "customer=CUST-GENERAL", "person_name=P", "subject=billing").stdout.strip()
    assert empty_store.exists(record_id)  # `run` writes into the directory `empty_store` names


def test_each_test_gets_its_own_copy(store, tmp_path):
    assert store.root == tmp_path / "store"
    assert "mette.murto" in store.config.users and "admin" in store.config.users["mette.murto"]["roles"]
    (store.root / "users.yaml").write_text("{}\n")  # the next test must not see this


def test_the_template_is_untouched_by_other_tests(store):
    assert len(store.config.users) == 6
    general = store.get("CUST-GENERAL")
    assert general["history"][0]["at"].isoformat() == NOW
