"""The signed-in user of a browser request (auth.signed_in): read as one plain row per role, no ORM objects built
for a page that does not need the account row; read-only, with the account row (`record`) a step away."""
from types import SimpleNamespace

import pytest
from flask import session
from sqlalchemy import event

from tests.conftest import login
from trainee.auth.models import EndedSession, Role, User, UserRole
from trainee.auth.signed_in import SignedInUser
from trainee.web import load_user


@pytest.fixture
def loads(app):
    """How many User and UserRole objects the ORM built from rows while the test ran."""
    counted = {"User": 0, "UserRole": 0}

    def count(target, _context):
        counted[type(target).__name__] += 1

    for model in (User, UserRole):
        event.listen(model, "load", count)
    yield counted
    for model in (User, UserRole):
        event.remove(model, "load", count)


def test_a_kept_home_builds_no_account_objects(app, demo, loads):
    client = app.test_client()
    login(client, demo["trainee"])
    assert client.get("/home").status_code == 200  # renders and keeps the page
    loads.update(User=0, UserRole=0)
    response = client.get("/home")
    assert response.status_code == 200 and "李思远" in response.get_data(as_text=True)
    assert loads == {"User": 0, "UserRole": 0}


def _signed_in(app, user):
    with app.test_request_context("/home"):
        session["sid"] = "test-sid"
        return load_user(user.get_id())


def test_the_signed_in_user_has_every_role_and_its_account_a_step_away(app, demo, db):
    head = demo["head"]  # department head and mentor
    with app.test_request_context("/home"):
        session["sid"] = "test-sid"
        signed_in = load_user(head.get_id())
        assert isinstance(signed_in, SignedInUser)
        assert signed_in.roles == {Role.DEPT_HEAD, Role.MENTOR} == head.roles
        assert signed_in.primary_role is Role.DEPT_HEAD and signed_in.has_role(Role.MENTOR)
        assert not signed_in.has_role(Role.HR, Role.TRAINEE)
        assert (signed_in.person_id, signed_in.unit_id, signed_in.username) == (head.person_id, head.unit_id, "head")
        assert signed_in.person.id == head.person_id and signed_in.unit.id == head.unit_id
        assert signed_in.display_name == head.person.name
        account = signed_in.record
        assert isinstance(account, User) and account.id == head.id and account.record is account
        assert signed_in == _signed_in(app, head) and signed_in != account  # ids compare across the two
        assert not hasattr(signed_in, "__dict__")  # its slots are all it holds
        with pytest.raises(AttributeError, match="read-only"):
            signed_in.must_change_password = False  # a change belongs on the record, where it is tracked


def test_a_session_that_is_no_longer_valid_signs_no_one_in(app, demo, db):
    trainee = demo["trainee"]
    assert _signed_in(app, trainee) is not None
    assert _signed_in(app, trainee).get_id() == trainee.get_id()
    with app.test_request_context("/home"):  # no session id
        assert load_user(trainee.get_id()) is None
    stale = f"{trainee.id}:{trainee.session_version - 1}"
    with app.test_request_context("/home"):
        session["sid"] = "test-sid"
        assert load_user(stale) is None
        assert load_user("not-an-id") is None
    db.session.add(EndedSession(sid="test-sid"))  # signed out: a copy of the cookie is dead
    db.session.commit()
    assert _signed_in(app, trainee) is None
    db.session.execute(db.delete(EndedSession))
    assert _signed_in(app, trainee) is not None
    account = db.session.get(User, trainee.id)
    account.active = False
    db.session.commit()
    assert _signed_in(app, trainee) is None


def test_the_profile_reads_the_account_row(app, as_role):
    client = as_role("mentor")
    client.post("/account/tokens", data={"name": "报表系统"})
    page = client.get("/account").get_data(as_text=True)
    assert "报表系统" in page and "带教导师" in page and "上次登录" in page


def test_the_signed_in_persons_row_is_fetched_once_per_request(app, demo, db):
    """Pages ask for `current_user.person` many times (policy checks, widgets): one query however often, even
    when nothing else holds the row (the session's identity map alone would let it go)."""
    import gc

    from trainee.org.models import Person, Unit

    trainee = demo["trainee"]
    ids = SimpleNamespace(account=trainee.get_id(), person=trainee.person_id, unit=trainee.unit_id, user=trainee.id)
    db.session.expunge_all()  # nothing of the test's own holds a row
    loaded = []

    def count(target, _context):
        loaded.append(type(target).__name__)

    for model in (Person, Unit, User):
        event.listen(model, "load", count)
    try:
        with app.test_request_context("/home"):
            session["sid"] = "test-sid"
            signed_in = load_user(ids.account)
            for _ in range(3):
                assert signed_in.person.id == ids.person
                assert signed_in.unit.id == ids.unit and signed_in.record.id == ids.user
                gc.collect()
    finally:
        for model in (Person, Unit, User):
            event.remove(model, "load", count)
    assert sorted(loaded) == ["Person", "Unit", "User"]


def test_a_signed_in_user_switches_language_and_it_is_remembered(app, demo, db):
    client = app.test_client()
    login(client, demo["trainee"])
    response = client.post("/lang/en", data={"next": "/home"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")
    assert db.session.get(User, demo["trainee"].id).locale == "en"
    with client.session_transaction() as browser_session:
        browser_session.pop("lang")  # a new sign-in: the stored choice applies
    assert 'lang="en"' in client.get("/home").get_data(as_text=True)
