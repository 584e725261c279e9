"""The progress log through the API: same answers as the pages, same policy, no mass assignment."""
import io
from datetime import timedelta

from trainee.activities.models import Activity, ActivityStatus
from trainee.core.time import local_today
from trainee.points.models import PointsEntry, SourceType

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def body(**overrides):
    data = {"date": (local_today() - timedelta(days=2)).isoformat(), "type": "ASSIST_CASE", "title": "协助办理API案",
            "description": "协助阅卷。", "case_no": "潭检刑诉〔2026〕5号", "hours": 3.5, "transition": "T4",
            "no_classified_confirmed": True}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_submit_approve_through_the_api(client, demo, db, api_token):
    trainee, mentor = api_token("trainee"), api_token("mentor")
    response = client.post("/api/v1/activities", json=body(), headers=trainee)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "draft" and created["hours"] == 3.5 and created["transition"] == "T4"
    assert created["person_id"] == demo["trainee"].person_id and "submit" in created["actions"]
    url = f"/api/v1/activities/{created['id']}"
    submitted = client.post(f"{url}/submit", headers=trainee)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    assert submitted.get_json()["reviewer"]["id"] == demo["mentor"].person_id
    assert client.post(f"{url}/approve", json={}, headers=trainee).status_code == 403
    refused = client.post(f"{url}/approve", json={}, headers=api_token("hr_yuhu"))
    assert refused.status_code == 404 and "协助办理API案" not in refused.get_data(as_text=True)
    approved = client.post(f"{url}/approve", json={"comment": "好"}, headers=mentor)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert db.session.execute(db.select(PointsEntry).where(PointsEntry.source_type == SourceType.ACTIVITY,
                                                           PointsEntry.source_id == created["id"])).scalar()
    again = client.post(f"{url}/approve", json={}, headers=mentor)
    assert again.status_code == 409 and "已通过" in again.get_json()["error"]["message"]
    assert client.get(url, headers=api_token("head")).get_json()["status"] == "approved"


def test_create_and_submit_at_once_then_return_and_revoke(client, demo, db, api_token):
    trainee, mentor, hr = api_token("trainee"), api_token("mentor"), api_token("hr")
    created = client.post(f"/api/v1/trainees/{demo['trainee'].person_id}/activities", json=body(submit=True),
                          headers=trainee)
    assert created.status_code == 201 and created.get_json()["status"] == "submitted"
    url = f"/api/v1/activities/{created.get_json()['id']}"
    assert client.post(f"{url}/return", json={}, headers=mentor).status_code == 422  # a comment is required
    returned = client.post(f"{url}/return", json={"comment": "请补充案号"}, headers=mentor)
    assert returned.status_code == 200 and returned.get_json()["review_comment"] == "请补充案号"
    assert client.post(f"{url}/submit", json={}, headers=trainee).get_json()["status"] == "submitted"
    assert client.post(f"{url}/approve", json={}, headers=mentor).status_code == 200
    assert client.post(f"{url}/revoke", json={}, headers=hr).status_code == 422
    revoked = client.post(f"{url}/revoke", json={"reason": "重复登记"}, headers=hr)
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"


def test_status_person_points_and_reviewer_cannot_be_assigned(client, demo, db, api_token):
    count = db.session.execute(db.select(db.func.count(Activity.id))).scalar()
    for field in ["status", "person_id", "points", "reviewer_id", "reviewer", "version_id", "revoked_at", "id"]:
        response = client.post("/api/v1/activities", json=body(**{field: 1 if field != "status" else "approved"}),
                               headers=api_token("trainee"))
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], field
    assert db.session.execute(db.select(db.func.count(Activity.id))).scalar() == count


def test_a_move_body_cannot_smuggle_fields_either(client, demo, db, api_token):
    activity = db.session.execute(db.select(Activity).where(
        Activity.person_id == demo["trainee"].person_id, Activity.status == ActivityStatus.SUBMITTED)).scalars().first()
    response = client.post(f"/api/v1/activities/{activity.id}/approve", json={"status": "approved", "points": 99},
                           headers=api_token("mentor"))
    assert response.status_code == 422
    assert db.session.get(Activity, activity.id).status is ActivityStatus.SUBMITTED


def test_nobody_creates_entries_for_someone_else(client, demo, db, api_token):
    target = demo["trainee"].person_id
    assert client.post(f"/api/v1/trainees/{target}/activities", json=body(), headers=api_token("hr")).status_code == 403
    assert client.post(f"/api/v1/trainees/{target}/activities", json=body(),
                       headers=api_token("mentor")).status_code == 403
    assert client.post(f"/api/v1/trainees/{target}/activities", json=body(),
                       headers=api_token("trainee2")).status_code == 404
    assert client.post("/api/v1/activities", json=body(), headers=api_token("hr")).status_code == 403


def test_bad_input_gives_422_with_field_messages(client, demo, api_token):
    response = client.post("/api/v1/activities", json=body(title="<b>x</b>", hours=30, date="2099-01-01",
                                                           transition="T0"), headers=api_token("trainee"))
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422 and {"title", "hours", "date", "transition"} <= set(fields)
    assert client.post("/api/v1/activities", json=body(hours=True), headers=api_token("trainee")).status_code == 422
    assert client.post("/api/v1/activities", data="nope", headers={**api_token("trainee"),
                                                                   "Content-Type": "application/json"}).status_code == 422


def test_a_stale_version_is_a_409(client, demo, db, api_token):
    activity = db.session.execute(db.select(Activity).where(
        Activity.person_id == demo["trainee"].person_id, Activity.status == ActivityStatus.SUBMITTED)).scalars().first()
    response = client.post(f"/api/v1/activities/{activity.id}/approve", json={"version": activity.version - 1},
                           headers=api_token("mentor"))
    assert response.status_code == 409 and "已被他人修改" in response.get_json()["error"]["message"]
    assert client.post(f"/api/v1/activities/{activity.id}/approve", json={"version": activity.version},
                       headers=api_token("mentor")).status_code == 200


def test_lists_are_scoped_and_paginated(app, client, demo, api_token):
    mine = client.get("/api/v1/activities", headers=api_token("trainee")).get_json()
    assert mine["total"] >= 20 and all(i["person_id"] == demo["trainee"].person_id for i in mine["items"])
    app.config["PAGE_SIZE"] = 5
    page2 = client.get("/api/v1/activities?page=2&status=APPROVED", headers=api_token("trainee")).get_json()
    assert page2["page"] == 2 and len(page2["items"]) == 5 and all(i["status"] == "approved" for i in page2["items"])
    person_id = demo["trainee"].person_id
    assert client.get(f"/api/v1/activities?person_id={person_id}", headers=api_token("mentor")).status_code == 200
    assert client.get(f"/api/v1/activities?person_id={person_id}", headers=api_token("hr_yuhu")).status_code == 404
    assert client.get(f"/api/v1/trainees/{person_id}/activities", headers=api_token("trainee2")).status_code == 404
    assert client.get("/api/v1/activities", headers=api_token("hr")).status_code == 422
    assert client.get("/api/v1/activities").status_code == 401


def test_files_through_the_api(client, demo, db, api_token):
    created = client.post("/api/v1/activities", json=body(), headers=api_token("trainee")).get_json()
    url = f"/api/v1/activities/{created['id']}/files"
    refused = client.post(url, data={"files": [(io.BytesIO(PDF), "a.pdf")]}, headers=api_token("trainee"),
                          content_type="multipart/form-data")
    assert refused.status_code == 422  # the 涉密 confirmation is required
    response = client.post(url, data={"files": [(io.BytesIO(PDF), "判决书.pdf")], "no_classified_confirmed": "true"},
                           headers=api_token("trainee"), content_type="multipart/form-data")
    assert response.status_code == 201 and response.get_json()["evidence"][0]["name"] == "判决书.pdf"


def test_two_decisions_at_once_exactly_one_wins_and_points_are_written_once(live_server, demo, db):
    """The mentor approves and returns the same entry from two clients at the same moment, both built from the
    same version: one succeeds, the other gets 409 (已被他人修改), and the ledger holds one entry at most."""
    import http.client
    import json
    import threading

    from tests.test_concurrency import _token

    activity = db.session.execute(db.select(Activity).where(
        Activity.person_id == demo["trainee"].person_id, Activity.status == ActivityStatus.SUBMITTED)).scalars().first()
    activity_id, version = activity.id, activity.version
    db.session.commit()
    host, port = live_server.removeprefix("http://").split(":")
    token = _token(live_server, "mentor")
    statuses, barrier = [], threading.Barrier(2)

    def decide(move, payload):
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        barrier.wait()
        conn.request("POST", f"/api/v1/activities/{activity_id}/{move}", json.dumps({"version": version, **payload}),
                     {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        statuses.append((move, response.status, json.loads(response.read())))

    threads = [threading.Thread(target=decide, args=("approve", {})),
               threading.Thread(target=decide, args=("return", {"comment": "请补充"}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(status for _move, status, _body in statuses)
    assert codes == [200, 409], statuses
    loser = next(body for _m, status, body in statuses if status == 409)
    assert "已被他人修改" in loser["error"]["message"]
    db.session.expire_all()
    final = db.session.get(Activity, activity_id)
    winner = next(move for move, status, _b in statuses if status == 200)
    assert final.status is (ActivityStatus.APPROVED if winner == "approve" else ActivityStatus.RETURNED)
    entries = db.session.execute(db.select(db.func.count(PointsEntry.id)).where(
        PointsEntry.source_type == SourceType.ACTIVITY, PointsEntry.source_id == activity_id)).scalar()
    assert entries == (1 if winner == "approve" else 0)
