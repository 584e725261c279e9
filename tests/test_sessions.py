"""Sessions end when they should: on sign-out (also for a copied cookie), on password change everywhere, after the
maximum session age; sign-in issues a fresh session. Token creation is rate-limited."""
from datetime import timedelta

from tests.test_auth import post_login
from trainee.core.time import utcnow


def _cookie(client):
    return client.get_cookie("session").value


def test_a_copied_session_cookie_is_dead_after_sign_out(app, demo):
    browser = app.test_client()
    post_login(browser, "hr")
    stolen = _cookie(browser)
    browser.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/home").status_code == 302


def test_sign_out_on_one_device_leaves_the_other_signed_in(app, demo):
    phone, desk = app.test_client(), app.test_client()
    post_login(phone, "mentor")
    post_login(desk, "mentor")
    phone.post("/logout")
    assert desk.get("/home").status_code == 200


def test_sign_in_issues_a_new_session_cookie(app, demo):
    client = app.test_client()
    client.get("/login")
    post_login(client, "hr")
    first = _cookie(client)
    client.post("/logout")
    post_login(client, "hr")
    assert _cookie(client) != first


def test_a_session_older_than_its_lifetime_is_refused(app, demo):
    client = app.test_client()
    post_login(client, "hr")
    with client.session_transaction() as session:
        session["auth_at"] = (utcnow() - app.config["PERMANENT_SESSION_LIFETIME"] - timedelta(minutes=1)).timestamp()
    assert client.get("/home").status_code == 302


def test_password_change_ends_sessions_everywhere_including_copied_cookies(app, demo):
    mine, other = app.test_client(), app.test_client()
    post_login(mine, "trainee")
    post_login(other, "trainee")
    copied = _cookie(other)
    mine.post("/account/password", data={"current_password": "demo1234", "new_password": "n3w-Passw0rd",
                                         "confirm": "n3w-Passw0rd"})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert other.get("/home").status_code == 302 and thief.get("/home").status_code == 302
    assert mine.get("/home").status_code == 200


def test_disabling_an_account_ends_its_sessions_and_tokens(app, demo, db, api_token):
    from trainee.auth.operations import update_user

    client = app.test_client()
    post_login(client, "trainee2")
    headers = api_token("trainee2")
    user = demo["trainee2"]
    update_user(demo["admin"], user, roles=user.roles, active=False, unit=user.unit)
    assert client.get("/home").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_token_creation_is_rate_limited(app, demo):
    from trainee.extensions import limiter

    limiter.reset()
    app.config["LOGIN_RATE_LIMIT"] = "5 per minute"
    client = app.test_client()
    statuses = [client.post("/api/v1/tokens", json={"username": "hr", "password": "demo1234"}).status_code
                for _ in range(7)]
    assert statuses[:5] == [201] * 5 and statuses[-1] == 429
    assert client.post("/api/v1/tokens", json={"username": "hr", "password": "demo1234"}).get_json()["error"][
        "code"] == "rate_limited"


def test_token_creation_on_the_profile_page_is_rate_limited(app, as_role):
    from trainee.extensions import limiter

    limiter.reset()
    client = as_role("hr")
    statuses = [client.post("/account/tokens", data={"name": f"t{i}"}).status_code for i in range(22)]
    assert statuses[0] == 302 and statuses[-1] == 429


def test_a_token_acts_only_within_its_owners_scope_and_dies_with_revocation(app, demo, db, as_role):
    from trainee.auth.models import ApiToken

    client = app.test_client()
    raw = client.post("/api/v1/tokens", json={"username": "hr_yuhu", "password": "demo1234"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {raw}"}
    people = client.get("/api/v1/people", headers=headers).get_json()
    assert {p["unit"]["code"] for p in people["items"]} == {"YH"}
    token = db.session.execute(db.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(raw))).scalar_one()
    assert token.expires_at <= utcnow() + timedelta(hours=app.config["API_TOKEN_TTL_HOURS"])
    as_role("hr_yuhu").post(f"/account/tokens/{token.id}/revoke")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_session_cookie_does_not_authenticate_the_api(as_role):
    assert as_role("hr").get("/api/v1/me").status_code == 401
