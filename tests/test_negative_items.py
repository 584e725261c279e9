"""Negative list: recording with reason and evidence, notification, appeal within 15 days, HR decision, veto."""
from datetime import timedelta

from trainee.audit import AuditEntry
from trainee.core.time import local_today
from trainee.notifications.models import Notification
from trainee.points import ledger
from trainee.points.models import NegativeRecord, NegativeStatus, PointsEntry, SourceType


def _record(client, person_id, **overrides):
    data = {"person_id": person_id, "item_code": "OVERDUE", "occurred_on": local_today().isoformat(),
            "reason": "审查起诉超过法定期限三日。", "evidence": "案管部流程监控通报第9号", **overrides}
    return client.post("/points/negative/new", data=data)


def _latest(db):
    return db.session.execute(db.select(NegativeRecord).order_by(NegativeRecord.id.desc())).scalars().first()


def test_dept_head_records_an_item_which_deducts_notifies_and_is_audited(as_role, demo, db):
    trainee = demo["trainee"].person
    before = ledger.totals(trainee.id, local_today().year)["total"]
    response = _record(as_role("head"), trainee.id)
    assert response.status_code == 302
    record = _latest(db)
    assert record.item_name == "办案超期" and record.appeal_deadline == local_today() + timedelta(days=15)
    assert ledger.totals(trainee.id, local_today().year)["total"] == before - 3
    entry = db.session.execute(db.select(PointsEntry).where(PointsEntry.source_type == SourceType.NEGATIVE,
                                                            PointsEntry.source_id == record.id)).scalar_one()
    assert entry.dimension.name == "D2" and entry.points == -3
    assert db.session.execute(db.select(Notification).where(Notification.user_id == demo["trainee"].id,
                                                            Notification.text.contains("办案超期"))).first()
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "negative.recorded")).first()


def test_bad_input_gives_chinese_messages_and_saves_nothing(as_role, demo, db):
    client, trainee = as_role("hr"), demo["trainee"].person
    count = db.session.execute(db.select(db.func.count(NegativeRecord.id))).scalar()
    cases = [dict(reason=""), dict(evidence=""), dict(reason="<script>alert(1)</script>"),
             dict(occurred_on="2025-02-30"), dict(occurred_on=(local_today() + timedelta(days=3)).isoformat()),
             dict(item_code="NOPE"), dict(reason="短"), dict(evidence="x" * 600)]
    for case in cases:
        response = _record(client, trainee.id, **case)
        assert response.status_code == 200, case
        assert 'class="error"' in response.get_data(as_text=True), case
    assert _record(client, 999999).status_code == 200
    assert db.session.execute(db.select(db.func.count(NegativeRecord.id))).scalar() == count


def test_nobody_records_items_outside_their_scope(as_role, demo, db):
    count = db.session.execute(db.select(db.func.count(NegativeRecord.id))).scalar()
    assert _record(as_role("hr_yuhu"), demo["trainee"].person_id).status_code == 200  # not in 雨湖's list
    assert _record(as_role("mentor"), demo["trainee"].person_id).status_code == 403
    assert _record(as_role("trainee"), demo["trainee2"].person_id).status_code == 403
    assert db.session.execute(db.select(db.func.count(NegativeRecord.id))).scalar() == count


def test_trainee_appeals_within_15_days_and_hr_revokes_with_a_reversing_entry(as_role, demo, db):
    trainee = demo["trainee"].person
    _record(as_role("head"), trainee.id)
    record = _latest(db)
    total = ledger.totals(trainee.id, local_today().year)["total"]
    assert as_role("trainee2").post(f"/points/negative/{record.id}/appeal",
                                    data={"statement": "不是我的事项但我想申诉一下"}).status_code == 404
    response = as_role("trainee").post(f"/points/negative/{record.id}/appeal",
                                       data={"statement": "延长审批表已按期提交，见审批系统记录。"})
    assert response.status_code == 302
    db.session.refresh(record)
    assert record.status is NegativeStatus.APPEALED
    assert as_role("trainee").post(f"/points/negative/{record.id}/appeal",
                                   data={"statement": "再次申诉再次申诉再次申诉"}).status_code == 422
    assert as_role("head").post(f"/points/negative/{record.id}/decide",
                                data={"decision": "revoke", "comment": "部门负责人不能处理"}).status_code == 403
    response = as_role("hr").post(f"/points/negative/{record.id}/decide",
                                  data={"decision": "revoke", "comment": "核实审批表已按期提交，撤销。"})
    assert response.status_code == 302
    db.session.refresh(record)
    assert record.status is NegativeStatus.REVOKED
    assert ledger.totals(trainee.id, local_today().year)["total"] == total + 3
    assert ledger.ledger_vs_aggregate() == []
    actions = set(db.session.execute(db.select(AuditEntry.action)).scalars())
    assert {"negative.appealed", "negative.decided"} <= actions


def test_upholding_keeps_the_deduction(as_role, demo, db):
    trainee = demo["trainee"].person
    _record(as_role("hr"), trainee.id)
    record = _latest(db)
    as_role("trainee").post(f"/points/negative/{record.id}/appeal", data={"statement": "理由理由理由理由理由理由"})
    total = ledger.totals(trainee.id, local_today().year)["total"]
    as_role("hr").post(f"/points/negative/{record.id}/decide", data={"decision": "uphold", "comment": "维持。"})
    db.session.refresh(record)
    assert record.status is NegativeStatus.UPHELD
    assert ledger.totals(trainee.id, local_today().year)["total"] == total


def test_an_appeal_after_15_days_is_refused(as_role, demo, db):
    _record(as_role("head"), demo["trainee"].person_id)
    record = _latest(db)
    record.appeal_deadline = local_today() - timedelta(days=1)
    db.session.commit()
    page = as_role("trainee").get(f"/points/negative/{record.id}").get_data(as_text=True)
    assert "申诉期已过" in page
    response = as_role("trainee").post(f"/points/negative/{record.id}/appeal", data={"statement": "理由理由理由理由理由理由"})
    assert response.status_code == 422 and "申诉期已过" in response.get_data(as_text=True)
    db.session.refresh(record)
    assert record.status is NegativeStatus.RECORDED


def test_a_veto_item_is_shown_on_the_points_page(as_role, demo, db):
    from trainee.points.operations import promotion_blocker, veto_message

    trainee = demo["trainee"].person
    assert veto_message(trainee, local_today().year) is None
    _record(as_role("hr"), trainee.id, item_code="THREE_RULES")
    message = veto_message(trainee, local_today().year)
    assert "不能评为优秀" in message and "违反“三个规定”" in message
    assert promotion_blocker(trainee) == message
    page = as_role("trainee").get(f"/points/people/{trainee.id}").get_data(as_text=True)
    assert "一票否决" in page and "不能晋阶" in page
    assert veto_message(trainee, local_today().year - 2) is None


def test_retired_items_cannot_be_recorded(as_role, demo, db):
    from trainee.points.operations import save_rule_set
    from trainee.points.rules import RuleBook

    base = RuleBook().version_on(local_today())
    save_rule_set(demo["admin"], base, {"effective_from": local_today() - timedelta(days=1), "note": "停用案卡事项",
                                        "negative": {"CARD_ERROR": {"name": "案卡填录错误", "deduction": "1",
                                                                    "veto": False, "active": False}}})
    count = db.session.execute(db.select(db.func.count(NegativeRecord.id))).scalar()
    response = _record(as_role("hr"), demo["trainee"].person_id, item_code="CARD_ERROR")
    assert response.status_code == 200 and 'id="item_code-err"' in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(NegativeRecord.id))).scalar() == count

