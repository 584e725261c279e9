"""The progress log (工作纪实): the whole loop through the pages, every move of the state machine, input rules,
optimistic versions, mentor changes, bulk approval, points and progress, lists and their query counts."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from trainee.activities import operations as ops
from trainee.activities.models import Activity, ActivityStatus, ActivityType
from trainee.audit import AuditEntry
from trainee.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from trainee.core.time import local_today
from trainee.mentoring.models import MentorAssignment
from trainee.notifications.models import Notification
from trainee.points.models import PointsEntry, SourceType
from trainee.training.progress import person_progress

S = ActivityStatus


def form(**overrides) -> dict:
    data = {"date": (local_today() - timedelta(days=3)).isoformat(), "type": "SIMPLE_CASE", "transition": "T4",
            "title": "指导下办理何某盗窃案", "description": "完成阅卷与审查报告。", "case_no": "潭检刑诉〔2026〕9号",
            "hours": "4.5", "no_classified_confirmed": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def data(**overrides) -> dict:
    values = form(**overrides)
    values["no_classified_confirmed"] = bool(values.get("no_classified_confirmed"))
    return values


def entry(db, user, status=S.DRAFT, **overrides) -> Activity:
    """An entry of `user` in `status`, made through the operations where a mentor is involved."""
    activity = ops.create(user, user.person, data(**overrides))
    return activity


def notes(db, user, kind):
    return db.session.execute(db.select(Notification).where(Notification.user_id == user.id,
                                                            Notification.kind == kind)).scalars().all()


def actions(db, activity):
    return [e.action for e in db.session.execute(db.select(AuditEntry).where(
        AuditEntry.object_type == "Activity", AuditEntry.object_id == activity.id).order_by(AuditEntry.id)).scalars()]


def live_points(db, activity) -> Decimal:
    rows = db.session.execute(db.select(PointsEntry.points).where(
        PointsEntry.source_type == SourceType.ACTIVITY, PointsEntry.source_id == activity.id)).scalars().all()
    return sum(rows, Decimal(0))


def simple_case_done(person) -> int:
    return person_progress(person).transition("T4").requirements[0].progress.done


def version_of(db, activity_id) -> int:
    return db.session.get(Activity, activity_id).version


# --- the loop through the pages -------------------------------------------------------------------

def test_trainee_logs_submits_mentor_approves_and_points_and_progress_follow(as_role, demo, db):
    trainee, mentor = as_role("trainee"), as_role("mentor")
    person = demo["trainee"].person
    before_done = simple_case_done(person)
    assert trainee.get("/activities/new").status_code == 200
    response = trainee.post("/activities/new", data=form(save_submit="1"))
    assert response.status_code == 302
    activity = db.session.execute(db.select(Activity).where(Activity.title == "指导下办理何某盗窃案")).scalar_one()
    assert activity.status is S.SUBMITTED and activity.reviewer_id == demo["mentor"].person_id
    assert activity.hours == Decimal("4.5") and activity.no_classified_confirmed
    assert notes(db, demo["mentor"], "activity_submitted")
    queue = mentor.get("/activities/review").get_data(as_text=True)
    assert "指导下办理何某盗窃案" in queue and f'name="version_{activity.id}"' in queue
    response = mentor.post(f"/activities/{activity.id}/approve", data={"version": activity.version,
                                                                       "comment": "证据分析到位。"})
    assert response.status_code == 302
    activity = db.session.get(Activity, activity.id)
    assert activity.status is S.APPROVED and activity.review_comment == "证据分析到位。"
    assert live_points(db, activity) == Decimal(3)  # SIMPLE_CASE: 3 points, D1
    assert simple_case_done(person) == before_done + 1
    assert notes(db, demo["trainee"], "activity_approved")
    assert actions(db, activity) == ["activity.created", "activity.submitted", "activity.approved"]
    page = trainee.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "已通过" in page and "记录历史" in page and "陈志刚" in page
    assert "指导下办理何某盗窃案" not in mentor.get("/activities/review").get_data(as_text=True)
    assert "已通过" in trainee.get("/activities/?status=APPROVED").get_data(as_text=True)


def test_return_edit_and_resubmit_then_approve(as_role, demo, db):
    trainee, mentor = as_role("trainee"), as_role("mentor")
    activity = entry(db, demo["trainee"])
    assert trainee.post(f"/activities/{activity.id}/submit", data={"version": activity.version,
                                                                   "no_classified_confirmed": "y"}).status_code == 302
    version = version_of(db, activity.id)
    response = mentor.post(f"/activities/{activity.id}/return", data={"version": version, "comment": ""})
    assert response.status_code == 422 and "请写明退回意见" in response.get_data(as_text=True)
    assert mentor.post(f"/activities/{activity.id}/return",
                       data={"version": version, "comment": "请补充审查报告。"}).status_code == 302
    assert db.session.get(Activity, activity.id).status is S.RETURNED
    assert notes(db, demo["trainee"], "activity_returned")
    home = trainee.get("/home").get_data(as_text=True)
    assert "被退回、需要修改" in home and "请补充审查报告。" in home
    edit = trainee.get(f"/activities/{activity.id}/edit").get_data(as_text=True)
    assert "请补充审查报告。" in edit
    response = trainee.post(f"/activities/{activity.id}/edit",
                            data=form(title="指导下办理何某盗窃案（补充）", version=version_of(db, activity.id),
                                      save_submit="1"))
    assert response.status_code == 302
    activity = db.session.get(Activity, activity.id)
    assert activity.status is S.SUBMITTED and activity.title.endswith("（补充）")
    assert mentor.post(f"/activities/{activity.id}/approve", data={"version": activity.version}).status_code == 302
    assert actions(db, activity) == ["activity.created", "activity.submitted", "activity.returned",
                                     "activity.updated", "activity.submitted", "activity.approved"]


def test_withdraw_to_draft_and_delete_only_a_draft(as_role, demo, db):
    trainee = as_role("trainee")
    activity = entry(db, demo["trainee"])
    activity_id = activity.id
    ops.submit(demo["trainee"], activity, version=None)
    assert trainee.post(f"/activities/{activity.id}/delete",
                        data={"version": version_of(db, activity.id)}).status_code == 409
    assert trainee.post(f"/activities/{activity.id}/withdraw",
                        data={"version": version_of(db, activity.id)}).status_code == 302
    assert db.session.get(Activity, activity.id).status is S.DRAFT
    assert notes(db, demo["mentor"], "activity_withdrawn")
    assert trainee.post(f"/activities/{activity.id}/delete",
                        data={"version": version_of(db, activity.id)}).status_code == 302
    assert db.session.get(Activity, activity_id) is None
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "activity.deleted")).scalar()


# --- the state machine ----------------------------------------------------------------------------

def _in_status(db, demo, status) -> Activity:
    trainee, mentor, hr = demo["trainee"], demo["mentor"], demo["hr"]
    activity = entry(db, trainee)
    if status is S.DRAFT:
        return activity
    ops.submit(trainee, activity, version=None)
    if status is S.SUBMITTED:
        return activity
    if status is S.RETURNED:
        return ops.return_entry(mentor, activity, version=None, comment="请补充。")
    ops.approve(mentor, activity, version=None)
    if status is S.REVOKED:
        ops.revoke(hr, activity, version=None, reason="重复登记")
    return activity


def _do(demo, activity, action):
    trainee, mentor, hr = demo["trainee"], demo["mentor"], demo["hr"]
    v = activity.version
    return {
        "edit": lambda: ops.update(trainee, activity, data(title="改过的标题"), version=v),
        "submit": lambda: ops.submit(trainee, activity, version=v, confirmed=True),
        "withdraw": lambda: ops.withdraw(trainee, activity, version=v),
        "approve": lambda: ops.approve(mentor, activity, version=v),
        "return": lambda: ops.return_entry(mentor, activity, version=v, comment="请补充。"),
        "revoke": lambda: ops.revoke(hr, activity, version=v, reason="重复登记"),
        "delete": lambda: ops.delete(trainee, activity, version=v),
    }[action]()


def test_every_move_is_allowed_only_where_the_table_lists_it(demo, db):
    """All 5 statuses × 7 actions (one demo, so PostgreSQL seeds it once)."""
    failures = []
    for status in S:
        for action in sorted(ops.ACTION_RULES):
            activity = _in_status(db, demo, status)
            activity_id = activity.id
            audits_before = db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar()
            move = ops.MOVES.get((status, action))
            try:
                _do(demo, activity, action)
            except DomainError as error:
                db.session.rollback()
                unchanged = db.session.get(Activity, activity_id).status is status and db.session.execute(
                    db.select(db.func.count(AuditEntry.id))).scalar() == audits_before
                if move is not None or error.status != 409 or str(status.label) not in error.message or not unchanged:
                    failures.append(f"{status.name} {action}: refused ({error.status} {error.message})")
            else:
                after = db.session.get(Activity, activity_id)
                if move is None:
                    failures.append(f"{status.name} {action}: allowed, but the table has no such move")
                elif not ((after is None) if move.to is None else (after.status is move.to)):
                    failures.append(f"{status.name} {action}: ended in {after.status if after else 'deleted'}")
    assert not failures, "\n".join(failures)


def test_the_table_has_the_nine_moves_of_the_brief():
    assert len(ops.MOVES) == 9
    assert ops.MOVES[(S.APPROVED, "revoke")].to is S.REVOKED
    assert not any(status is S.APPROVED and action == "edit" for status, action in ops.MOVES)  # approved is locked


REFUSALS = [
    ("trainee", "approve", PermissionDenied), ("trainee", "revoke", PermissionDenied),
    ("mentor", "submit", PermissionDenied), ("mentor", "edit", PermissionDenied), ("mentor", "revoke", PermissionDenied),
    ("head", "approve", PermissionDenied), ("hr", "approve", PermissionDenied), ("hr", "withdraw", PermissionDenied),
    ("admin", "revoke", PermissionDenied), ("hr_yuhu", "approve", NotFound), ("trainee2", "withdraw", NotFound),
    ("mentor02", "approve", NotFound),
]


def test_moves_by_someone_the_policy_does_not_name_are_refused(demo, db):
    for username, action, error in REFUSALS:
        status = S.APPROVED if action == "revoke" else S.DRAFT if action == "edit" else S.SUBMITTED
        activity = _in_status(db, demo, status)
        kwargs = {"version": activity.version}
        actor = demo[username]
        call = {"approve": lambda a=actor, x=activity, k=kwargs: ops.approve(a, x, **k),
                "revoke": lambda a=actor, x=activity, k=kwargs: ops.revoke(a, x, reason="x", **k),
                "submit": lambda a=actor, x=activity, k=kwargs: ops.submit(a, x, confirmed=True, **k),
                "edit": lambda a=actor, x=activity, k=kwargs: ops.update(a, x, data(), **k),
                "withdraw": lambda a=actor, x=activity, k=kwargs: ops.withdraw(a, x, **k)}[action]
        with pytest.raises(error):
            call()
        db.session.rollback()
        assert db.session.get(Activity, activity.id).status is status, (username, action)


def test_approved_entries_are_locked_in_the_pages(as_role, demo, db):
    activity = _in_status(db, demo, S.APPROVED)
    trainee = as_role("trainee")
    assert trainee.get(f"/activities/{activity.id}/edit").status_code == 302
    response = trainee.post(f"/activities/{activity.id}/edit", data=form(version=activity.version, title="改"))
    assert response.status_code == 409 and "不能修改" in response.get_data(as_text=True)
    assert db.session.get(Activity, activity.id).title == "指导下办理何某盗窃案"
    assert as_role("mentor").post(f"/activities/{activity.id}/approve",
                                  data={"version": activity.version}).status_code == 409


# --- input ----------------------------------------------------------------------------------------

BAD_INPUT = [
    ("title", "", "请填写标题"),
    ("title", "x" * 201, "200"),
    ("title", "<b>加粗</b>", "尖括号"),
    ("description", "<script>alert(1)</script>", "尖括号"),
    ("date", (local_today() + timedelta(days=1)).isoformat(), "不能晚于今天"),
    ("date", "1990-01-01", "日期过早"),
    ("hours", "25", "0 至 24"),
    ("hours", "-1", "0 至 24"),
    ("hours", "很多", "须为数字"),
    ("case_no", "潭检<script>", "尖括号"),
    ("case_no", "案号$$$%%%", "案号只能包含"),
    ("case_no", "1" * 61, "60"),
    ("type", "NOPE", "请选择工作类型"),
    ("transition", "T10", "T1–T9"),
]


def test_bad_input_is_refused_with_a_message_and_the_data_is_kept(as_role, db):
    client = as_role("trainee")
    marker = "这段工作内容应当保留"
    for field, value, message in BAD_INPUT:
        values = form(**{field: value}) if field == "description" else form(**{field: value}, description=marker)
        response = client.post("/activities/new", data=values)
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and message in body, (field, value)
        if field != "description":
            assert marker in body, field  # what was typed comes back
        assert "<script>alert" not in body and "<b>加粗</b>" not in body
    assert not db.session.execute(db.select(Activity).where(Activity.description == marker)).first()


def test_a_retired_type_is_refused(as_role, db):
    kind = db.session.execute(db.select(ActivityType).where(ActivityType.code == "HEARING")).scalar_one()
    kind.active = False
    db.session.commit()
    response = as_role("trainee").post("/activities/new", data=form(type="HEARING"))
    assert response.status_code == 422 and "已停用" in response.get_data(as_text=True)


def test_a_date_before_hire_is_refused(demo, db):
    person = demo["trainee2"].person
    with pytest.raises(ValidationFailed) as refused:
        ops.create(demo["trainee2"], person, data(date=(person.hire_date - timedelta(days=1)).isoformat()))
    assert "入职日期" in refused.value.field_errors["date"][0]


def test_submitting_needs_the_no_classified_confirmation(as_role, demo, db):
    response = as_role("trainee").post("/activities/new", data=form(no_classified_confirmed=None, save_submit="1"))
    assert response.status_code == 422 and "不含涉密内容" in response.get_data(as_text=True)
    activity = entry(db, demo["trainee"], no_classified_confirmed=None)
    response = as_role("trainee").post(f"/activities/{activity.id}/submit", data={"version": activity.version})
    assert response.status_code == 422 and db.session.get(Activity, activity.id).status is S.DRAFT


def test_submitting_without_a_primary_mentor_is_refused_clearly(as_role, demo, db):
    activity = entry(db, demo["trainee"])
    for assignment in db.session.execute(db.select(MentorAssignment).where(
            MentorAssignment.trainee_id == demo["trainee"].person_id)).scalars():
        assignment.end_date = local_today()
    db.session.commit()
    response = as_role("trainee").post(f"/activities/{activity.id}/submit",
                                       data={"version": activity.version, "no_classified_confirmed": "y"})
    assert response.status_code == 409 and "没有带教导师" in response.get_data(as_text=True)
    assert db.session.get(Activity, activity.id).status is S.DRAFT


# --- optimistic versions --------------------------------------------------------------------------

def test_a_stale_edit_is_a_409_that_keeps_what_was_typed(as_role, demo, db):
    activity = entry(db, demo["trainee"])
    stale = activity.version
    ops.update(demo["trainee"], activity, data(title="另一个标签页保存的标题"), version=stale)
    response = as_role("trainee").post(f"/activities/{activity.id}/edit",
                                       data=form(title="我这次填写的标题", version=stale))
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "已被他人修改" in body and "我这次填写的标题" in body
    assert db.session.get(Activity, activity.id).title == "另一个标签页保存的标题"


def test_a_stale_decision_is_a_409_and_changes_nothing(as_role, demo, db):
    activity = _in_status(db, demo, S.SUBMITTED)
    stale = activity.version
    ops.withdraw(demo["trainee"], activity, version=stale)
    ops.submit(demo["trainee"], activity, version=None)
    response = as_role("mentor").post(f"/activities/{activity.id}/return",
                                      data={"version": stale, "comment": "我写的退回意见"})
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "已被他人修改" in body and "我写的退回意见" in body
    assert db.session.get(Activity, activity.id).status is S.SUBMITTED


# --- mentors --------------------------------------------------------------------------------------

def test_a_mentor_change_moves_pending_entries_and_the_former_mentor_may_not_decide(as_role, demo, db):
    from trainee.mentoring.operations import assign_primary_mentor

    person = demo["trainee"].person
    pending = db.session.execute(db.select(Activity).where(Activity.person_id == person.id,
                                                           Activity.status == S.SUBMITTED)).scalars().all()
    assert pending and all(a.reviewer_id == demo["mentor"].person_id for a in pending)
    new_mentor = demo["mentor02"].person
    new_mentor.mentor_capacity = 10
    db.session.commit()
    assign_primary_mentor(demo["hr"], person, new_mentor, local_today(), "导师调岗")
    for activity in pending:
        db.session.refresh(activity)
        assert activity.reviewer_id == new_mentor.id and "activity.reviewer_moved" in actions(db, activity)
    assert notes(db, demo["mentor02"], "activity_submitted")
    first = pending[0]
    response = as_role("mentor").post(f"/activities/{first.id}/approve", data={"version": first.version})
    assert response.status_code == 403
    assert first.title not in as_role("mentor").get("/activities/review").get_data(as_text=True)
    assert first.title in as_role("mentor02").get("/activities/review").get_data(as_text=True)
    assert as_role("mentor02").post(f"/activities/{first.id}/approve",
                                    data={"version": first.version}).status_code == 302
    # The former mentor still reads the entry (the period mentored), read only.
    page = as_role("mentor").get(f"/activities/{first.id}")
    assert page.status_code == 200 and "审核通过</button>" not in page.get_data(as_text=True)


def test_bulk_approve_is_all_or_nothing_and_each_entry_is_checked(as_role, demo, db):
    mentor = as_role("mentor")
    queue = db.session.execute(db.select(Activity).where(
        Activity.status == S.SUBMITTED, Activity.reviewer_id == demo["mentor"].person_id)).scalars().all()
    assert len(queue) >= 3
    foreign = _in_status(db, demo, S.DRAFT)  # not in the queue: a draft
    selection = {"ids": [a.id for a in queue] + [foreign.id],
                 **{f"version_{a.id}": a.version for a in queue + [foreign]}}
    response = mentor.post("/activities/review/approve", data=selection)
    assert response.status_code == 409 and "所有记录均未改变" in response.get_data(as_text=True)
    assert all(db.session.get(Activity, a.id).status is S.SUBMITTED for a in queue)
    stale = {"ids": [a.id for a in queue], **{f"version_{a.id}": a.version for a in queue}}
    stale[f"version_{queue[0].id}"] = queue[0].version + 5
    assert mentor.post("/activities/review/approve", data=stale).status_code == 409
    assert all(db.session.get(Activity, a.id).status is S.SUBMITTED for a in queue)
    good = {"ids": [a.id for a in queue], **{f"version_{a.id}": a.version for a in queue}}
    assert as_role("head").post("/activities/review/approve", data=good).status_code == 409  # not head's mentees
    response = mentor.post("/activities/review/approve", data=good)
    assert response.status_code == 302
    for activity in queue:
        assert db.session.get(Activity, activity.id).status is S.APPROVED
        assert live_points(db, activity) > 0 or activity.type.default_points == 0
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "activity.bulk_approved")).scalar()


# --- HR: revocation -------------------------------------------------------------------------------

def test_hr_revokes_with_a_reason_points_are_reversed_and_nothing_is_deleted(as_role, demo, db):
    activity = _in_status(db, demo, S.APPROVED)
    person = demo["trainee"].person
    done = simple_case_done(person)
    assert live_points(db, activity) == Decimal(3)
    hr = as_role("hr")
    response = hr.post(f"/activities/{activity.id}/revoke", data={"version": activity.version, "reason": ""})
    assert response.status_code == 422 and db.session.get(Activity, activity.id).status is S.APPROVED
    assert as_role("hr_yuhu").post(f"/activities/{activity.id}/revoke",
                                   data={"version": activity.version, "reason": "x"}).status_code == 404
    assert hr.post(f"/activities/{activity.id}/revoke",
                   data={"version": activity.version, "reason": "与另一条记录重复"}).status_code == 302
    activity = db.session.get(Activity, activity.id)
    assert activity.status is S.REVOKED and activity.revoke_reason == "与另一条记录重复"
    assert activity.revoked_by_id == demo["hr"].id
    assert live_points(db, activity) == 0  # the original entry and its reversal
    assert db.session.execute(db.select(db.func.count(PointsEntry.id)).where(
        PointsEntry.source_type == SourceType.ACTIVITY, PointsEntry.source_id == activity.id)).scalar() == 2
    assert simple_case_done(person) == done - 1
    assert notes(db, demo["trainee"], "activity_revoked")
    assert "已由政治部撤销" in as_role("trainee").get(f"/activities/{activity.id}").get_data(as_text=True)


# --- lists, queue, widgets ------------------------------------------------------------------------

def test_list_filters_and_pagination(app, as_role, demo, db):
    trainee = as_role("trainee")
    body = trainee.get("/activities/?status=RETURNED").get_data(as_text=True)
    assert "郑某交通肇事案审查报告" in body and "指导下办理刘某危险驾驶案" not in body
    body = trainee.get("/activities/?type=COURT").get_data(as_text=True)
    assert "出庭支持公诉" in body and "审查报告</a>" not in body
    body = trainee.get("/activities/?transition=T5").get_data(as_text=True)
    assert "参加全市刑事检察业务培训" in body and "指导下办理刘某危险驾驶案" not in body
    year = local_today().year
    body = trainee.get(f"/activities/?year={year + 1}").get_data(as_text=True)
    assert "暂无记录" in body
    app.config["PAGE_SIZE"] = 5
    first, second = trainee.get("/activities/").get_data(as_text=True), trainee.get("/activities/?page=2")
    assert "第 1 / " in first and second.status_code == 200
    assert trainee.get("/activities/?status=NOPE&year=abc&transition=<x>").status_code == 200


def test_queue_is_oldest_first_with_days_waiting_and_the_overdue_flag(as_role, demo, db):
    body = as_role("mentor").get("/activities/review").get_data(as_text=True)
    titles = re.findall(r'href="/activities/\d+">([^<]+)</a>', body)
    assert titles.index("指导下办理郑某交通肇事案") < titles.index("起草王某盗窃案不起诉决定书")
    assert "14 天" in body and "超过 7 天" in body
    assert "起草许某盗窃案起诉书" in as_role("mentor").get(
        f"/activities/review?person_id={demo['trainee2'].person_id}").get_data(as_text=True)
    assert "指导下办理郑某交通肇事案" not in as_role("mentor").get(
        f"/activities/review?person_id={demo['trainee2'].person_id}").get_data(as_text=True)
    home = as_role("mentor").get("/home").get_data(as_text=True)
    assert "待审核的工作纪实" in home and "最早一条已等待 14 天" in home
    assert "工作纪实审核超过 7 天" in as_role("hr").get("/home").get_data(as_text=True)


def test_hr_and_head_read_a_persons_entries_within_scope(as_role, demo):
    person = demo["trainee"].person
    detail = as_role("hr").get(f"/people/{person.id}").get_data(as_text=True)
    assert f"/activities/people/{person.id}" in detail
    body = as_role("hr").get(f"/activities/people/{person.id}").get_data(as_text=True)
    assert "李思远 的工作纪实" in body and "登记工作纪实" not in body
    assert as_role("head").get(f"/activities/people/{person.id}").status_code == 200
    assert as_role("hr_yuhu").get(f"/activities/people/{person.id}").status_code == 404


@pytest.fixture
def counting(monkeypatch):
    monkeypatch.setenv("QUERY_COUNT_HEADER", "1")


def _more_entries(db, person, n, status, reviewer_id=None):
    from trainee.dossiers.sample import add_approved_activities

    add_approved_activities(person, entries=n, years=1)
    if status is not S.APPROVED:
        newest = db.session.execute(db.select(Activity).where(Activity.person_id == person.id)
                                    .order_by(Activity.id.desc()).limit(n)).scalars().all()
        for activity in newest:
            activity.status, activity.reviewer_id = status, reviewer_id
        db.session.commit()


def _count(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return int(response.headers["X-Query-Count"])


def test_query_counts_of_lists_and_queue_do_not_grow_with_data(counting, as_role, demo, db):
    trainee, mentor, hr = as_role("trainee"), as_role("mentor"), as_role("hr")
    person = demo["trainee"].person
    urls = [(trainee, "/activities/"), (trainee, "/activities/?status=APPROVED&transition=T4"),
            (mentor, "/activities/review"), (hr, f"/activities/people/{person.id}"), (trainee, "/home"),
            (mentor, "/home")]
    before = [_count(c, u) for c, u in urls]
    _more_entries(db, person, 120, S.APPROVED)
    _more_entries(db, person, 40, S.SUBMITTED, demo["mentor"].person_id)
    _more_entries(db, demo["trainee2"].person, 40, S.SUBMITTED, demo["mentor"].person_id)
    after = [_count(c, u) for c, u in urls]
    assert after == before, list(zip([u for _c, u in urls], before, after, strict=True))


def test_bulk_generator_writes_about_fifty_approved_entries_per_trainee_year_and_points_follow(app, db):
    from trainee.bulk import generate
    from trainee.org.models import Person, Position

    stats = generate(trainees=30, years=2, echo=lambda *_: None)
    assert stats["bulk_activities"] > 30 * 54
    approved = dict(db.session.execute(db.select(Activity.person_id, db.func.count(Activity.id)).where(
        Activity.status == S.APPROVED).group_by(Activity.person_id)).all())
    trainees = db.session.execute(db.select(Person).where(Person.position == Position.ASSISTANT)).scalars().all()
    full = [p for p in trainees if p.hire_date <= local_today().replace(month=1, day=1) - timedelta(days=400)]
    assert full and all(80 <= approved[p.id] <= 135 for p in full)  # almost two years at ~54 a year
    assert db.session.execute(db.select(db.func.count(Activity.id)).where(Activity.status == S.SUBMITTED)).scalar() \
        == 2 * len(trainees)
    # The points generator runs after and derives its ledger from these approved entries.
    linked = db.session.execute(db.select(db.func.count(PointsEntry.id)).where(
        PointsEntry.source_type == SourceType.ACTIVITY, PointsEntry.source_id.is_not(None))).scalar()
    assert linked == sum(approved.values())
    assert person_progress(full[0]).transitions  # the engine reads the bulk rows


def test_overdue_reviews_remind_the_mentor_once_a_week(app, demo, db):
    result = app.test_cli_runner().invoke(args=["activities", "remind-overdue"])
    assert result.exit_code == 0 and "已提醒 1 位导师" in result.output
    (note,) = notes(db, demo["mentor"], "activity_overdue")
    assert "2 条" in note.text and "14 天" in note.text
    assert "已提醒 0 位导师" in app.test_cli_runner().invoke(args=["activities", "remind-overdue"]).output


def test_the_daily_remind_sweep_includes_overdue_reviews(app, demo, db):
    first = app.test_cli_runner().invoke(args=["remind"])
    assert first.exit_code == 0 and "提醒导师（待审核超过 7 天） 1" in first.output
    assert len(notes(db, demo["mentor"], "activity_overdue")) == 1
    second = app.test_cli_runner().invoke(args=["remind"])
    assert "提醒导师（待审核超过 7 天） 0" in second.output
    assert len(notes(db, demo["mentor"], "activity_overdue")) == 1


def test_the_queue_approves_or_returns_one_entry_in_place(as_role, demo, db):
    mentor = as_role("mentor")
    body = mentor.get("/activities/review").get_data(as_text=True)
    waiting = db.session.execute(db.select(Activity).where(
        Activity.status == S.SUBMITTED, Activity.reviewer_id == demo["mentor"].person_id)
        .order_by(Activity.submitted_at)).scalars().all()
    first, second = waiting[0], waiting[1]
    assert f'id="approve-{first.id}"' in body and f'form="return-{second.id}"' in body
    response = mentor.post(f"/activities/{first.id}/approve", data={"version": first.version, "next": "queue"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/activities/review")
    response = mentor.post(f"/activities/{second.id}/return",
                           data={"version": second.version, "comment": "请补充证据目录", "next": "queue"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/activities/review")
    assert db.session.get(Activity, first.id).status is S.APPROVED
    assert db.session.get(Activity, second.id).review_comment == "请补充证据目录"


def test_after_a_409_saving_again_is_a_deliberate_overwrite(as_role, demo, db):
    activity = entry(db, demo["trainee"])
    stale = activity.version
    ops.update(demo["trainee"], activity, data(title="另一个标签页保存的标题"), version=stale)
    client = as_role("trainee")
    body = client.post(f"/activities/{activity.id}/edit", data=form(title="我的标题", version=stale)).get_data(
        as_text=True)
    current = re.search(r'name="version" type="hidden" value="(\d+)"', body) or \
        re.search(r'type="hidden" name="version" value="(\d+)"', body) or re.search(r'id="version"[^>]*value="(\d+)"', body)
    assert current and int(current.group(1)) == version_of(db, activity.id)
    assert client.post(f"/activities/{activity.id}/edit", data=form(title="我的标题", version=current.group(1))
                       ).status_code == 302
    assert db.session.get(Activity, activity.id).title == "我的标题"
    assert client.post(f"/activities/{activity.id}/edit", data=form(title="无版本")).status_code == 422


def test_the_progress_page_links_an_open_count_to_a_prefilled_form(as_role, demo):
    person_id = demo["trainee"].person_id
    page = as_role("trainee").get(f"/trainees/{person_id}/progress").get_data(as_text=True)
    assert "/activities/new?transition=T4&amp;type=SIMPLE_CASE" in page
    assert "/activities/new?" not in as_role("hr").get(f"/trainees/{person_id}/progress").get_data(as_text=True)
    form_page = as_role("trainee").get("/activities/new?transition=T4&type=SIMPLE_CASE").get_data(as_text=True)
    assert '<option selected value="SIMPLE_CASE">' in form_page and '<option selected value="T4">' in form_page
