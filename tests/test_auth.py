from trainee.audit import AuditEntry
from trainee.auth.models import User


def post_login(client, username, password="demo1234"):
    return client.post("/login", data={"username": username, "password": password})


def test_demo_user_signs_in_and_sees_home(client, demo):
    response = post_login(client, "trainee")
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")
    page = client.get("/home").get_data(as_text=True)
    assert "李思远" in page


def test_wrong_password_gives_a_clear_message_and_no_session(client, demo):
    response = post_login(client, "trainee", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_account_locks_after_five_failures_even_with_right_password(client, demo, db):
    for _ in range(5):
        post_login(client, "trainee2", "nope-nope1")
    response = post_login(client, "trainee2")
    assert "临时锁定" in response.get_data(as_text=True)
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).first()


def test_initial_password_must_be_changed_before_anything_else(client, demo, db):
    user = demo["trainee"]
    user.must_change_password = True
    db.session.commit()
    response = post_login(client, "trainee")
    assert response.headers["Location"].endswith("/account/password")
    assert client.get("/home").headers["Location"].endswith("/account/password")
    bad = client.post("/account/password", data={"current_password": "demo1234", "new_password": "short",
                                                  "confirm": "short"})
    assert "8" in bad.get_data(as_text=True)
    ok = client.post("/account/password", data={"current_password": "demo1234", "new_password": "n3w-Passw0rd",
                                                 "confirm": "n3w-Passw0rd"})
    assert ok.status_code == 302
    assert client.get("/home").status_code == 200
    assert db.session.get(User, user.id).must_change_password is False


def test_password_change_ends_other_sessions_and_tokens(app, demo, api_token):
    other = app.test_client()
    post_login(other, "mentor")
    headers = api_token("mentor")
    mine = app.test_client()
    post_login(mine, "mentor")
    mine.post("/account/password", data={"current_password": "demo1234", "new_password": "an0ther-pass",
                                         "confirm": "an0ther-pass"})
    assert mine.get("/home").status_code == 200
    assert other.get("/home").status_code == 302
    assert other.get("/api/v1/me", headers=headers).status_code == 401


def test_logout_ends_the_session(client, demo):
    post_login(client, "hr")
    client.post("/logout")
    assert client.get("/home").status_code == 302


def test_session_is_rotated_on_sign_in(client, demo):
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    post_login(client, "hr")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_open_redirect_after_login_is_refused(client, demo):
    response = client.post("/login?next=//evil.example/x", data={"username": "hr", "password": "demo1234"})
    assert response.headers["Location"].endswith("/home")


def test_csrf_is_enforced_when_enabled(app, demo):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/login", data={"username": "hr", "password": "demo1234"})
    assert response.status_code == 400
    assert "请求有误" in response.get_data(as_text=True)


def test_login_is_rate_limited_with_a_clear_message(app, demo):
    from trainee.extensions import limiter

    limiter.reset()
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    client = app.test_client()
    statuses = [post_login(client, "nobody", "x").status_code for _ in range(12)]
    assert statuses[-1] == 429
    refused = post_login(client, "nobody", "x")
    assert "操作过于频繁" in refused.get_data(as_text=True) and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert statuses[0] == 200


def test_security_headers_are_set(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_use_no_inline_script_and_no_external_assets(client, demo):
    post_login(client, "hr")
    for url in ("/login", "/home", "/people/"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "http://" not in page.replace("http://localhost", "")
        assert "https://" not in page


def test_english_is_available(client, demo):
    client.post("/lang/en", data={"next": "/login"})
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def _sign_in_attempts(application, client_address: str, n: int) -> list[int]:
    client = application.test_client()
    return [client.post("/login", data={"username": "nobody", "password": "x"},
                        headers={"X-Forwarded-For": client_address}).status_code for _ in range(n)]


def test_behind_a_proxy_each_client_has_its_own_sign_in_limit(app, demo):
    """PROXY_COUNT=1 (one reverse proxy in front): the limit counts per forwarded client address."""
    from trainee import create_app
    from trainee.config import TestConfig

    config = TestConfig(app.config["SQLALCHEMY_DATABASE_URI"])
    config.PROXY_COUNT, config.LOGIN_RATE_LIMIT, config.UPLOAD_DIR = 1, "3 per minute", app.config["UPLOAD_DIR"]
    proxied = create_app(config)
    assert _sign_in_attempts(proxied, "10.0.0.1", 4) == [200, 200, 200, 429]
    assert _sign_in_attempts(proxied, "10.0.0.2", 1) == [200]  # another client behind the same proxy


def test_without_a_proxy_a_forwarded_address_is_not_believed(app, demo):
    from trainee.extensions import limiter

    limiter.reset()
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    assert _sign_in_attempts(app, "10.0.0.1", 4)[-1] == 429
    assert _sign_in_attempts(app, "10.0.0.2", 1) == [429]  # a client cannot escape the limit by naming another
