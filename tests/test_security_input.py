"""Hostile ids and numbers in URLs and query strings: a clear 4xx or the unfiltered page, never a 500."""
import pytest

HUGE = ["99999999999999999999", "9223372036854775808", "2147483648"]
ODD_NUMBERS = ["²", "٣", "１２", "-1", "1e3", "0x10", "99999999999999999999", " 1", "1\x00"]


def _int_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static" and "GET" in rule.methods and any(
                type(rule._converters[a]).__name__ == "BoundedIntConverter" for a in rule.arguments):
            yield rule


def test_every_int_route_argument_is_bounded(app):
    assert list(_int_routes(app)), "no route with an <int:...> argument?"
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if "Integer" in type(converter).__name__ or "Int" in type(converter).__name__:
                assert converter.max == 2**31 - 1, (rule.rule, name)


@pytest.mark.parametrize("username", ["admin", "hr"])
def test_a_huge_id_in_any_url_is_not_found_not_an_overflow(app, as_role, username):
    client = as_role(username)
    for rule in _int_routes(app):
        for huge in HUGE:
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", huge).replace(f"<{arg}>", huge)
            response = client.get(url)
            assert response.status_code == 404, (url, response.status_code)


def test_odd_numbers_in_query_strings_are_ignored_not_a_crash(as_role, api_token, client):
    hr = as_role("hr")
    admin = as_role("admin")
    for odd in ODD_NUMBERS:
        assert hr.get("/people/", query_string={"page": odd, "unit": odd, "department": odd}).status_code == 200
        assert admin.get("/admin/audit", query_string={"object_id": odd}).status_code == 200
        assert admin.get("/admin/departments/new", query_string={"unit": odd}).status_code == 200
        response = client.get("/api/v1/people", query_string={"page": odd}, headers=api_token("hr"))
        assert response.status_code in (200, 422), (odd, response.status_code)
        for url, args in (("/reports/overview", {"unit": odd}), ("/reports/points.xlsx", {"year": odd}),
                          ("/reports/waiting-reviews", {"min": odd, "max": odd, "page": odd, "unit": odd}),
                          ("/evaluation/quarterly", {"year": odd, "unit": odd, "department": odd}),
                          ("/competitions/", {"year": odd}), ("/competitions/summary", {"year": odd}),
                          ("/points/negative/new", {"person_id": odd})):
            assert hr.get(url, query_string=args).status_code == 200, (url, odd)
    trainee, mentor = as_role("trainee"), as_role("mentor")
    for odd in ODD_NUMBERS:
        assert trainee.get("/activities/", query_string={"year": odd}).status_code == 200, odd
        assert trainee.get("/points/me", query_string={"year": odd}).status_code in (200, 302), odd
        assert mentor.get("/activities/review", query_string={"person_id": odd}).status_code == 200, odd


def test_a_huge_integer_in_a_json_body_is_refused(app):
    from trainee.api.core import json_body
    from trainee.core.errors import ValidationFailed

    for value in (2**31, -(2**31), 2**70):
        with app.test_request_context(json={"trainee_id": value}), pytest.raises(ValidationFailed) as refused:
            json_body({"trainee_id": (int, True, None)})
        assert "trainee_id" in refused.value.field_errors
    with app.test_request_context(json={"trainee_id": 12}):
        assert json_body({"trainee_id": (int, True, None)}) == {"trainee_id": 12}


def test_odd_ids_in_submitted_forms_are_refused_not_a_crash(as_role, demo):
    hr = as_role("hr")
    response = hr.post("/people/bulk/assign-mentor", data={"person_ids": ["²", "99999999999999999999", "١"],
                                                           "mentor_id": demo["mentor"].person_id})
    assert response.status_code in (200, 302, 422)
    person = demo["trainee"].person
    response = hr.post(f"/people/{person.id}/edit", data={"version": "²", "name": person.name})
    assert response.status_code in (200, 302, 409, 422)


def test_redirect_targets_stay_on_this_site(client, demo, as_role, db):
    from trainee.notifications.models import Notification

    hostile = ["//evil.example/x", "/\\evil.example", "/\t/evil.example", "https://evil.example", "javascript:x",
               "/\\/evil.example", "\\\\evil.example"]
    for target in hostile:
        response = client.post("/lang/en", data={"next": target})
        assert response.headers["Location"] in ("/", "http://localhost/"), target
        response = client.post(f"/login?next={target}", data={"username": "hr", "password": "demo1234"})
        assert response.headers["Location"].endswith("/home"), target
        client.post("/logout")
    note = Notification(user_id=demo["trainee"].id, kind="t", text="t", link="/\\evil.example")
    db.session.add(note)
    db.session.commit()
    location = as_role("trainee").post(f"/notifications/{note.id}/open").headers["Location"]
    assert location.endswith("/notifications/")
