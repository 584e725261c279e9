from trainee.api.openapi import document


def test_token_is_issued_for_valid_credentials_and_works(client, demo):
    response = client.post("/api/v1/tokens", json={"username": "hr", "password": "demo1234"})
    assert response.status_code == 201
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["username"] == "hr" and me["roles"] == ["hr"] and me["unit"]["code"] == "XT"


def test_tokens_are_stored_hashed(client, demo, db):
    from trainee.auth.models import ApiToken

    token = client.post("/api/v1/tokens", json={"username": "hr", "password": "demo1234"}).get_json()["token"]
    stored = db.session.execute(db.select(ApiToken.token_hash)).scalars().all()
    assert token not in stored and ApiToken.hash(token) in stored


def test_revoked_and_expired_tokens_are_refused(client, demo, db, api_token):
    from trainee.auth.models import ApiToken
    from trainee.core.time import utcnow

    headers = api_token("hr")
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    token.expires_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    headers = api_token("hr")
    for t in db.session.execute(db.select(ApiToken)).scalars():
        t.revoked_at = utcnow()
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_wrong_credentials_give_a_json_error(client, demo):
    response = client.post("/api/v1/tokens", json={"username": "hr", "password": "bad"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_malformed_bodies_give_400_or_422_never_500(client, demo):
    cases = [dict(data="{not json", content_type="application/json"), dict(json=[1, 2]),
             dict(json={"username": 5, "password": "x"}), dict(json={"username": "hr", "password": "x", "role": "admin"}),
             dict(json={"username": "a" * 500, "password": "x"}), dict(json={})]
    for kwargs in cases:
        response = client.post("/api/v1/tokens", **kwargs)
        assert response.status_code in (400, 422), (kwargs, response.status_code)
        assert "error" in response.get_json()


def test_people_are_scoped_to_the_caller(client, demo, api_token):
    city = client.get("/api/v1/people", headers=api_token("hr")).get_json()
    district = client.get("/api/v1/people", headers=api_token("hr_yuhu")).get_json()
    assert district["total"] < city["total"]
    assert {p["unit"]["code"] for p in district["items"]} == {"YH"}
    assert client.get("/api/v1/people", headers=api_token("trainee")).status_code == 403
    mentor = client.get("/api/v1/people", headers=api_token("mentor")).get_json()
    assert mentor["total"] == 4  # self and three mentees


def test_people_filters_and_pagination(client, demo, api_token):
    headers = api_token("hr")
    trainees = client.get("/api/v1/people?role=trainee&unit=YH", headers=headers).get_json()
    assert trainees["total"] == 8 and trainees["page"] == 1 and trainees["pages"] == 1
    assert client.get("/api/v1/people?page=abc", headers=headers).status_code == 422


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_openapi_document_describes_exactly_the_api_routes(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", "{" + arg + "}").replace(f"<{arg}>", "{" + arg + "}")
            routed |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    assert doc == document()
