"""Sign-off, promotion, placement, career events, rotations and plans through the client and the API."""
from datetime import timedelta

import pytest

from tests.test_training_progress import add_activities
from trainee.audit import AuditEntry
from trainee.core.errors import DomainError
from trainee.core.time import local_today
from trainee.notifications.models import Notification
from trainee.org.models import PersonStatus
from trainee.training.models import (
    CareerEvent,
    DevelopmentPlan,
    ManualSignoff,
    PlanStatus,
    PromotionRequest,
    PromotionStatus,
    Requirement,
    Rotation,
    RotationStatus,
    StageRecord,
    Transition,
    TransitionState,
    TransitionStatus,
)
from trainee.training.progress import person_progress


def state(db, person, code):
    return db.session.execute(db.select(TransitionState).join(Transition).where(
        TransitionState.person_id == person.id, Transition.code == code)).scalar_one_or_none()


def audits(db, action):
    return db.session.execute(db.select(AuditEntry).where(AuditEntry.action == action)).scalars().all()


def notes(db, user, kind):
    return db.session.execute(db.select(Notification).where(Notification.user_id == user.id,
                                                            Notification.kind == kind)).scalars().all()


def manual_of(db, code):
    return db.session.execute(db.select(Requirement).join(Transition).where(
        Transition.code == code, Requirement.kind == "MANUAL")).scalars().first()


def achieve_directly(db, person, *codes):
    for code in codes:
        transition = db.session.execute(db.select(Transition).where(Transition.code == code)).scalar_one()
        db.session.add(TransitionState(person_id=person.id, transition_id=transition.id,
                                       status=TransitionStatus.ACHIEVED, decided_on=local_today()))
    db.session.commit()


def test_transition_loop_submit_return_resubmit_achieve(as_role, demo, db, api_token):
    trainee, mentor = as_role("trainee"), as_role("mentor")
    person = demo["trainee"].person
    base = f"/trainees/{person.id}"
    # In progress: submitting is refused and nothing is saved.
    response = trainee.post(f"{base}/transitions/T4/submit")
    assert response.status_code == 409 and "尚未全部满足" in response.get_data(as_text=True)
    assert state(db, person, "T4") is None
    add_activities(db, person, "SIMPLE_CASE", 10)
    add_activities(db, person, "REVIEW_REPORT", 10)
    assert trainee.post(f"{base}/transitions/T4/submit").status_code == 409  # the manual milestone is missing
    requirement = manual_of(db, "T4")
    assert trainee.post(f"{base}/requirements/{requirement.id}/sign", data={"evidence": "x"}).status_code == 403
    assert mentor.post(f"{base}/requirements/{requirement.id}/sign", data={"evidence": ""}).status_code == 422
    assert mentor.post(f"{base}/requirements/{requirement.id}/sign",
                       data={"evidence": "审阅审查报告三份，证据分析准确"}).status_code == 302
    assert mentor.post(f"{base}/requirements/{requirement.id}/sign", data={"evidence": "again"}).status_code == 409
    assert db.session.execute(db.select(db.func.count(ManualSignoff.id))).scalar() == 1
    assert person_progress(person).transition("T4").status is TransitionStatus.READY
    # Submit → return (comment required) → resubmit → achieve.
    assert trainee.post(f"{base}/transitions/T4/submit").status_code == 302
    assert state(db, person, "T4").status is TransitionStatus.SUBMITTED
    assert notes(db, demo["mentor"], "transition_submitted")
    assert trainee.post(f"{base}/transitions/T4/submit").status_code == 409
    assert mentor.post(f"{base}/transitions/T4/decide", data={"decision": "return", "comment": ""}).status_code == 422
    assert state(db, person, "T4").status is TransitionStatus.SUBMITTED
    assert as_role("head").post(f"{base}/transitions/T4/decide", data={"decision": "achieve"}).status_code == 403
    assert mentor.post(f"{base}/transitions/T4/decide",
                       data={"decision": "return", "comment": "请补充一份审查报告的说明"}).status_code == 302
    assert state(db, person, "T4").status is TransitionStatus.RETURNED
    assert notes(db, demo["trainee"], "transition_returned")
    assert "请补充一份审查报告的说明" in trainee.get(f"{base}/progress").get_data(as_text=True)
    assert trainee.post(f"{base}/transitions/T4/submit").status_code == 302
    assert mentor.post(f"{base}/transitions/T4/decide", data={"decision": "achieve"}).status_code == 302
    signed = state(db, person, "T4")
    assert signed.status is TransitionStatus.ACHIEVED and signed.mentor_id == demo["mentor"].person_id
    assert signed.decided_on == local_today()
    assert mentor.post(f"{base}/transitions/T4/decide", data={"decision": "achieve"}).status_code == 409
    assert trainee.post(f"{base}/transitions/T4/submit").status_code == 409
    assert {"transition.submitted", "transition.returned", "transition.achieved", "manual_requirement.signed"} <= {
        e.action for e in db.session.execute(db.select(AuditEntry)).scalars()}
    body = as_role("trainee").get(f"/api/v1/trainees/{person.id}", headers=api_token("trainee")).get_json()
    t4 = next(t for t in body["transitions"] if t["code"] == "T4")
    assert t4["status"] == "achieved" and t4["achieved_on"] == local_today().isoformat()
    assert {"label": "指导下办理简单案件 10 件", "target": 10}.items() <= t4["requirements"][0].items()
    assert t4["requirements"][0]["done"] >= 10  # the demo's own approved entries plus the ten added


def test_locked_unknown_and_foreign_transitions_are_refused(as_role, demo, db):
    person = demo["trainee"].person
    trainee = as_role("trainee")
    response = trainee.post(f"/trainees/{person.id}/transitions/T7/submit")
    assert response.status_code == 409 and "尚未开启" in response.get_data(as_text=True)
    assert trainee.post(f"/trainees/{person.id}/transitions/T99/submit").status_code == 422
    assert as_role("trainee2").post(f"/trainees/{person.id}/transitions/T4/submit").status_code == 404
    assert as_role("mentor").post(f"/trainees/{person.id}/transitions/T4/submit").status_code == 403
    assert as_role("mentor").post(f"/trainees/{person.id}/transitions/T5/decide",
                                  data={"decision": "achieve"}).status_code == 409  # never submitted
    assert db.session.execute(db.select(db.func.count(TransitionState.id)).where(
        TransitionState.person_id == person.id, TransitionState.status != TransitionStatus.ACHIEVED)).scalar() == 0


def test_promotion_recommended_by_mentor_and_approved_by_hr_opens_the_next_stage(as_role, demo, db):
    from trainee import signals

    person = demo["trainee"].person
    mentor, hr = as_role("mentor"), as_role("hr")
    url = f"/trainees/{person.id}/promotion/recommend"
    response = mentor.post(url, data={"comment": "推荐"})
    assert response.status_code == 409 and "尚未达成" in response.get_data(as_text=True)
    achieve_directly(db, person, "T4", "T5", "T6")
    assert as_role("trainee").post(url, data={"comment": "我推荐我"}).status_code == 403
    assert mentor.post(url, data={"comment": ""}).status_code == 422
    assert mentor.post(url, data={"comment": "三项转变均已达成，推荐晋升高阶"}).status_code == 302
    assert mentor.post(url, data={"comment": "再推荐一次"}).status_code == 409
    request = db.session.execute(db.select(PromotionRequest).where(
        PromotionRequest.person_id == person.id, PromotionRequest.status == PromotionStatus.RECOMMENDED)).scalar_one()
    assert "晋阶待审批" in hr.get("/home").get_data(as_text=True)
    assert notes(db, demo["hr"], "promotion_recommended")
    decide = f"/promotions/{request.id}/decide"
    assert mentor.post(decide, data={"decision": "approve"}).status_code == 403
    assert as_role("hr_yuhu").post(decide, data={"decision": "approve"}).status_code == 404
    entered = []

    def receiver(sender, **kw):
        entered.append((sender.person_id, sender.stage_id))

    signals.stage_entered.connect(receiver)
    try:
        assert hr.post(decide, data={"decision": "approve",
                                     "decide-on_date": local_today().isoformat()}).status_code == 302
    finally:
        signals.stage_entered.disconnect(receiver)
    assert hr.post(decide, data={"decision": "approve", "decide-on_date": local_today().isoformat()}).status_code == 409
    progress = person_progress(person)
    assert progress.current.stage.code == "S3" and progress.current.start == local_today()
    assert progress.transition("T7").status is TransitionStatus.IN_PROGRESS
    s2 = db.session.execute(db.select(StageRecord).where(StageRecord.person_id == person.id,
                                                         StageRecord.stage_id == 2)).scalar_one()
    assert s2.end_date == local_today()
    assert entered == [(person.id, 3)]
    assert audits(db, "promotion.approved") and notes(db, demo["trainee"], "promotion_decided")


def test_hr_can_return_a_recommendation_with_a_comment(as_role, demo, db):
    person = demo["trainee"].person
    achieve_directly(db, person, "T4", "T5", "T6")
    as_role("mentor").post(f"/trainees/{person.id}/promotion/recommend", data={"comment": "推荐"})
    request = db.session.execute(db.select(PromotionRequest).where(
        PromotionRequest.status == PromotionStatus.RECOMMENDED, PromotionRequest.person_id == person.id)).scalar_one()
    hr = as_role("hr")
    assert hr.post(f"/promotions/{request.id}/decide", data={"decision": "return"}).status_code == 422
    assert hr.post(f"/promotions/{request.id}/decide",
                   data={"decision": "return", "decide-comment": "请补充年度考评结果"}).status_code == 302
    db.session.refresh(request)
    assert request.status is PromotionStatus.RETURNED and person_progress(person).current.stage.code == "S2"


def test_a_veto_registered_by_another_feature_blocks_promotion(as_role, demo, db):
    from trainee.training import progress

    person = demo["trainee"].person
    achieve_directly(db, person, "T4", "T5", "T6")
    vetoed = person.id  # a plain id: the check runs inside the request, never touch the test's session there

    def veto(p, year):
        return "本年度存在一票否决事项。" if p.id == vetoed else None

    progress.PROMOTION_CHECKS.append(veto)
    try:
        assert progress.promotion_blockers(person, local_today().year) == ["本年度存在一票否决事项。"]
        response = as_role("mentor").post(f"/trainees/{person.id}/promotion/recommend", data={"comment": "推荐"})
        assert response.status_code == 409 and "一票否决" in response.get_data(as_text=True)
    finally:
        progress.PROMOTION_CHECKS.remove(veto)


def test_completing_stage_three_makes_the_trainee_qualified(as_role, demo, db):
    from trainee.training import operations as ops

    person = demo["trainee"].person
    record = db.session.execute(db.select(StageRecord).where(StageRecord.person_id == person.id,
                                                             StageRecord.end_date.is_(None))).scalar_one()
    record.end_date = local_today() - timedelta(days=1)
    db.session.add(StageRecord(person_id=person.id, stage_id=3, start_date=local_today() - timedelta(days=1)))
    db.session.commit()
    achieve_directly(db, person, "T4", "T5", "T6", "T7", "T8", "T9")
    request = ops.recommend_promotion(demo["mentor"], person, "高阶三项均已达成")
    assert request.to_stage_id is None
    ops.decide_promotion(demo["hr"], request, approve=True)
    progress = person_progress(person)
    assert progress.qualified and progress.current.stage.code == "S3" and not progress.next_steps()
    with pytest.raises(DomainError):
        ops.recommend_promotion(demo["mentor"], person, "再推荐")
    assert "培养合格" in as_role("trainee").get("/home").get_data(as_text=True)


def test_hr_places_an_experienced_hire_into_stage_two_with_a_reason(as_role, demo, db):
    person = demo["trainee2"].person
    url = f"/trainees/{person.id}/placement"
    assert as_role("trainee2").post(url, data={"place-stage": "S2", "place-reason": "x"}).status_code == 403
    response = as_role("hr").post(url, data={"place-stage": "S2", "place-reason": "",
                                             "place-on_date": local_today().isoformat()})
    assert response.status_code == 422 and person_progress(person).current.stage.code == "S1"
    response = as_role("hr").post(url, data={"place-stage": "S2", "place-reason": "曾任法院法官助理五年",
                                             "place-on_date": local_today().isoformat()})
    assert response.status_code == 302
    progress = person_progress(person)
    assert progress.current.stage.code == "S2"
    assert [progress.transition(c).status for c in ("T1", "T2", "T3")] == [TransitionStatus.ACHIEVED] * 3
    assert audits(db, "stage.placed")
    assert as_role("hr").post(url, data={"place-stage": "S2", "place-reason": "again",
                                         "place-on_date": local_today().isoformat()}).status_code == 409


def test_selection_makes_the_trainee_read_only(as_role, demo, db):
    from trainee.policy import is_read_only

    person = demo["trainee"].person
    url = f"/trainees/{person.id}/career/events"
    assert as_role("mentor").post(url, data={"ev-kind": "SELECTED"}).status_code == 403
    response = as_role("hr").post(url, data={"ev-kind": "SELECTED", "ev-date": "", "ev-doc_no": "湘检〔2026〕1号"})
    assert response.status_code == 422
    response = as_role("hr").post(url, data={"ev-kind": "SELECTED", "ev-date": local_today().isoformat(),
                                             "ev-doc_no": ""})
    assert response.status_code == 422 and "文号" in response.get_data(as_text=True)
    response = as_role("hr").post(url, data={"ev-kind": "SELECTED", "ev-date": local_today().isoformat(),
                                             "ev-doc_no": "湘检〔2026〕1号", "ev-note": "遴选"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.status is PersonStatus.SELECTED and is_read_only(person)
    assert as_role("trainee").post(f"/trainees/{person.id}/transitions/T4/submit").status_code == 403
    assert "只读" in as_role("trainee").get(f"/trainees/{person.id}/progress").get_data(as_text=True)
    assert audits(db, "career_event.recorded")


def test_rotation_is_confirmed_only_by_the_receiving_department_head(as_role, demo, db):
    person = demo["trainee2"].person
    start = (local_today() - timedelta(days=120)).isoformat()
    response = as_role("trainee2").post(f"/trainees/{person.id}/rotations",
                                        data={"rot-department_id": str(person.department_id), "rot-start_date": start,
                                              "rot-end_date": (local_today() - timedelta(days=200)).isoformat()})
    mine = db.select(Rotation).where(Rotation.person_id == person.id)
    assert response.status_code == 422 and db.session.execute(mine).first() is None
    assert as_role("trainee2").post(f"/trainees/{person.id}/rotations", data={
        "rot-department_id": str(person.department_id), "rot-start_date": start}).status_code == 302
    rotation = db.session.execute(mine).scalar_one()
    assert as_role("trainee2").post(f"/rotations/{rotation.id}/confirm").status_code == 403
    assert as_role("mentor").post(f"/rotations/{rotation.id}/confirm").status_code == 403
    assert as_role("hr_yuhu").post(f"/rotations/{rotation.id}/confirm").status_code == 404
    assert "轮岗待确认" in as_role("head").get("/home").get_data(as_text=True)
    assert as_role("head").post(f"/rotations/{rotation.id}/confirm").status_code == 302
    db.session.refresh(rotation)
    assert rotation.status is RotationStatus.CONFIRMED and rotation.confirmed_by_id == demo["head"].person_id
    assert as_role("head").post(f"/rotations/{rotation.id}/confirm").status_code == 302  # flashed: already done
    rotation_req = next(r for r in person_progress(person).transition("T3").requirements
                        if r.requirement.kind.name == "ROTATION")
    assert rotation_req.progress.done == 1 and rotation_req.progress.target == 2


def test_development_plan_is_written_by_the_trainee_and_reviewed_by_the_mentor(as_role, demo, db):
    person = demo["trainee2"].person
    url = f"/trainees/{person.id}/plan"
    data = {"plan-direction": "CIVIL", "plan-track": "PROSECUTOR", "plan-goals_1y": "", "action": "submit"}
    assert as_role("trainee2").post(url, data=data).status_code == 422
    assert as_role("mentor").post(url, data=data | {"plan-goals_1y": "x"}).status_code == 403
    assert as_role("trainee2").post(url, data=data | {"plan-goals_1y": "<script>x</script>"}).status_code == 422
    assert as_role("trainee2").post(url, data=data | {"plan-goals_1y": "熟悉民事检察监督业务"}).status_code == 302
    plan = db.session.execute(db.select(DevelopmentPlan).where(DevelopmentPlan.person_id == person.id)).scalar_one()
    assert plan.status is PlanStatus.SUBMITTED
    assert as_role("trainee2").post(url, data=data | {"plan-goals_1y": "改"}).status_code == 409
    assert as_role("head").post(f"/plans/{plan.id}/review", data={"decision": "approve"}).status_code == 403
    assert as_role("mentor").post(f"/plans/{plan.id}/review", data={"decision": "approve"}).status_code == 302
    db.session.refresh(plan)
    assert plan.status is PlanStatus.APPROVED and audits(db, "plan.approved")


def test_trainee_list_api_is_scoped_and_filtered(client, demo, api_token):
    city = client.get("/api/v1/trainees", headers=api_token("hr")).get_json()
    assert city["total"] == 39 and set(city["items"][0]) == {"id", "name", "staff_no", "unit", "stage"}
    yuhu = client.get("/api/v1/trainees", headers=api_token("hr_yuhu")).get_json()
    assert {i["unit"]["code"] for i in yuhu["items"]} == {"YH"}
    s2 = client.get("/api/v1/trainees?stage=S2", headers=api_token("hr")).get_json()
    assert s2["total"] and {i["stage"] for i in s2["items"]} == {"S2"}
    assert client.get("/api/v1/trainees?unit=YH", headers=api_token("hr")).get_json()["total"] == yuhu["total"]
    assert client.get("/api/v1/trainees?stage=S9", headers=api_token("hr")).status_code == 422
    assert client.get("/api/v1/trainees?unit=NOPE", headers=api_token("hr")).status_code == 422
    assert client.get("/api/v1/trainees?page=x", headers=api_token("hr")).status_code == 422
    mentor = client.get("/api/v1/trainees", headers=api_token("mentor")).get_json()
    assert mentor["total"] == 3
    dept = demo["trainee"].person.department_id
    by_dept = client.get(f"/api/v1/trainees?department={dept}", headers=api_token("hr")).get_json()
    assert by_dept["total"] >= 2


def test_trainee_detail_api_matches_the_issue_shape(client, demo, api_token):
    person = demo["trainee"].person
    body = client.get(f"/api/v1/trainees/{person.id}", headers=api_token("mentor")).get_json()
    assert {"id", "name", "staff_no", "unit", "department", "stage", "mentor", "transitions", "points"} <= set(body)
    assert body["stage"] == "S2" and body["mentor"]["name"] == demo["mentor"].person.name
    assert [t["code"] for t in body["transitions"]] == [f"T{i}" for i in range(1, 10)]
    assert [t["status"] for t in body["transitions"][:3]] == ["achieved"] * 3
    assert body["transitions"][3]["status"] == "in_progress" and body["transitions"][6]["status"] == "locked"
    points = body["points"]  # this year's points from the points feature (the demo has negative items and honours)
    assert set(points) == {"total", "by_dimension"} and set(points["by_dimension"]) == {"D1", "D2", "D3", "D4"}
    assert points["total"] == sum(points["by_dimension"].values())
    assert client.get(f"/api/v1/trainees/{person.id}", headers=api_token("trainee2")).status_code == 404


def test_admin_edits_the_model_with_params_validated_per_kind(as_role, demo, db, client, api_token):
    admin = as_role("admin")
    transition = db.session.execute(db.select(Transition).where(Transition.code == "T4")).scalar_one()
    url = f"/admin/training/transitions/{transition.id}/requirements/new"
    count = db.session.execute(db.select(db.func.count(Requirement.id))).scalar()
    for params in ('{"types": ["NOPE"], "count": 3}', '{"count": 3}', 'not json', '{"types": ["COURT"], "count": 0}'):
        response = admin.post(url, data={"kind": "ACTIVITY_COUNT", "label": "出庭", "params": params, "order": 4})
        assert response.status_code == 200 and "参数" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Requirement.id))).scalar() == count
    response = admin.post(url, data={"kind": "ACTIVITY_COUNT", "label": "出庭 2 次",
                                     "params": '{"types": ["COURT"], "count": 2}', "order": 4})
    assert response.status_code == 302
    added = db.session.execute(db.select(Requirement).where(Requirement.label == "出庭 2 次")).scalar_one()
    assert admin.post("/admin/training/stages/1", data={"name": "初阶", "theme": "从理论到实践",
                                                         "min_months": 18}).status_code == 302
    assert admin.post(f"/admin/training/requirements/{added.id}/retire").status_code == 302
    model = client.get("/api/v1/model", headers=api_token("trainee")).get_json()
    assert model["stages"][0]["min_months"] == 18
    assert "出庭 2 次" not in [r["label"] for t in model["stages"][1]["transitions"] for r in t["requirements"]]
    assert audits(db, "training_model.requirement_saved") and audits(db, "training_model.requirement_retired")
    assert audits(db, "training_model.stage_edited")
    assert as_role("hr").post(f"/admin/training/requirements/{added.id}/retire").status_code == 403


@pytest.mark.parametrize("username", ["trainee", "mentor", "hr"])
def test_demo_has_realistic_signoff_history(demo, db, username):
    person = demo["trainee"].person
    progress = person_progress(person)
    assert [progress.transition(c).status for c in ("T1", "T2", "T3")] == [TransitionStatus.ACHIEVED] * 3
    assert progress.transition("T4").status is TransitionStatus.IN_PROGRESS
    assert db.session.execute(db.select(db.func.count(CareerEvent.id))).scalar() > 40
    assert db.session.execute(db.select(PromotionRequest).where(
        PromotionRequest.status == PromotionStatus.RECOMMENDED)).first()
