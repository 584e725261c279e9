"""Every state change of the training feature: policy → validate → mutate → audit → commit.

Sign-off of transitions and manual milestones, stage promotion (晋阶), HR placement, career events,
rotations and the development plan.
"""
from datetime import date

from flask import url_for

from trainee import audit, policy, signals
from trainee.auth.models import Role, User, UserRole
from trainee.core.errors import DomainError, ValidationFailed
from trainee.core.ops import transaction
from trainee.core.time import local_today, utcnow
from trainee.extensions import db
from trainee.notifications import notify
from trainee.org.models import Department, Person, PersonStatus
from trainee.training import progress as engine
from trainee.training.models import (
    CareerEvent,
    CareerEventKind,
    DevelopmentPlan,
    ManualSignoff,
    PlanDirection,
    PlanStatus,
    PlanTrack,
    PromotionRequest,
    PromotionStatus,
    Requirement,
    RequirementKind,
    Rotation,
    RotationStatus,
    SignoffAction,
    Stage,
    StageRecord,
    Transition,
    TransitionEvent,
    TransitionState,
    TransitionStatus,
)

STATE_FIELDS = ("status", "decided_on", "mentor_id", "comment")
COMMENT_MAX = 1000


def _link(endpoint, **values):
    try:
        return url_for(endpoint, **values)
    except RuntimeError:  # outside a request (CLI)
        return None


def _progress_link(person):
    return _link("training.progress_page", person_id=person.id)


def _clean_text(value, field, *, required=True, max_len=COMMENT_MAX, label="意见"):
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}。", {field: [f"请填写{label}。"]})
    if len(value) > max_len:
        raise ValidationFailed(f"{label}不超过 {max_len} 个字。", {field: [f"不超过 {max_len} 个字。"]})
    if "<" in value or ">" in value:
        raise ValidationFailed(f"{label}不能包含尖括号等标记字符。", {field: ["不能包含尖括号等标记字符。"]})
    return value


def _check_date(value, field, *, not_future=True, label="日期"):
    if not isinstance(value, date):
        raise ValidationFailed(f"请填写有效的{label}（YYYY-MM-DD）。", {field: ["无效的日期。"]})
    if not_future and value > local_today():
        raise ValidationFailed(f"{label}不能晚于今天。", {field: [f"{label}不能晚于今天。"]})
    return value


def _transition(code: str) -> Transition:
    transition = db.session.execute(db.select(Transition).where(Transition.code == code)).scalar_one_or_none()
    if transition is None:
        raise ValidationFailed("没有这个转变。", {"transition": ["没有这个转变。"]})
    return transition


def _state(person, transition) -> TransitionState | None:
    return db.session.execute(db.select(TransitionState).where(
        TransitionState.person_id == person.id, TransitionState.transition_id == transition.id)).scalar_one_or_none()


def _event(person, transition, action, actor, *, signer=None, comment=None, on_date=None):
    db.session.add(TransitionEvent(person_id=person.id, transition_id=transition.id, action=action,
                                   on_date=on_date or local_today(), actor_id=actor.id if actor else None,
                                   signer_id=signer.id if signer else None, comment=comment))


def _hr_users_for(person):
    users = db.session.execute(db.select(User).join(UserRole).where(UserRole.role == Role.HR, User.active)).scalars()
    return [u for u in users if policy.in_unit_scope(u, person.unit)]


# --- transitions -----------------------------------------------------------------------------------

def submit_transition(actor, person: Person, code: str) -> TransitionState:
    """The trainee asks the primary mentor to sign a READY transition."""
    policy.require(actor, "transition.submit", person)
    transition = _transition(code)
    view = engine.person_progress(person).transition(code)
    if view.status is TransitionStatus.LOCKED:
        raise DomainError(f"{code} 所在阶段尚未开启，不能提交。")
    if view.status is TransitionStatus.SUBMITTED:
        raise DomainError(f"{code} 已提交，正等待导师确认。")
    if view.status is TransitionStatus.ACHIEVED:
        raise DomainError(f"{code} 已达成，无需再次提交。")
    if not view.all_met:
        missing = "；".join(r.progress.text for r in view.missing)
        raise DomainError(f"{code} 的要求尚未全部满足，不能提交：{missing}")
    mentor = policy_primary_mentor(person)
    if mentor is None:
        raise DomainError("您目前没有带教导师，请联系政治部分配后再提交。")
    state = _state(person, transition)
    before = audit.snapshot(state, STATE_FIELDS) if state else None
    with transaction():
        if state is None:
            state = TransitionState(person_id=person.id, transition_id=transition.id, status=TransitionStatus.SUBMITTED)
            db.session.add(state)
        state.status, state.submitted_at = TransitionStatus.SUBMITTED, utcnow()
        state.decided_on, state.mentor_id, state.comment = None, None, None
        _event(person, transition, SignoffAction.SUBMITTED, actor)
        db.session.flush()
        audit.record("transition.submitted", state, before=before, after=audit.snapshot(state, STATE_FIELDS),
                     summary=f"{person.name} 提交 {code} 请导师确认", unit_id=person.unit_id)
        notify(mentor, "transition_submitted", f"{person.name} 提交了 {code} {transition.name}，请确认。",
               link=_progress_link(person))
    return state


def policy_primary_mentor(person) -> Person | None:
    from trainee.training.views import primary_mentor

    assignment = primary_mentor(person)
    return assignment.mentor if assignment else None


def decide_transition(actor, person: Person, code: str, *, achieve: bool, comment: str = "",
                      on_date: date | None = None) -> TransitionState:
    """The current primary mentor signs (achieved) or returns a SUBMITTED transition."""
    policy.require(actor, "transition.sign", person)
    transition = _transition(code)
    comment = _clean_text(comment, "comment", required=not achieve)
    on_date = _check_date(on_date or local_today(), "on_date")
    state = _state(person, transition)
    if state is None or state.status is not TransitionStatus.SUBMITTED:
        if state is not None and state.status is TransitionStatus.ACHIEVED:
            raise DomainError(f"{code} 已于 {state.decided_on} 确认达成，不能重复签署。")
        raise DomainError(f"{code} 尚未提交确认，不能签署或退回。")
    before = audit.snapshot(state, STATE_FIELDS)
    with transaction():
        state.status = TransitionStatus.ACHIEVED if achieve else TransitionStatus.RETURNED
        state.decided_on, state.mentor_id, state.comment = on_date, actor.person_id, comment or None
        _event(person, transition, SignoffAction.ACHIEVED if achieve else SignoffAction.RETURNED, actor,
               signer=actor.person, comment=comment or None, on_date=on_date)
        db.session.flush()
        audit.record("transition.achieved" if achieve else "transition.returned", state, before=before,
                     after=audit.snapshot(state, STATE_FIELDS),
                     summary=f"导师{'确认达成' if achieve else '退回'} {person.name} 的 {code}", unit_id=person.unit_id)
        if achieve:
            signals.transition_achieved.send(state, actor=actor)
            notify(person, "transition_achieved", f"导师已确认您的 {code} {transition.name} 达成。",
                   link=_progress_link(person))
        else:
            notify(person, "transition_returned", f"导师退回了您的 {code}：{comment}"[:300], link=_progress_link(person))
    return state


def sign_manual(actor, person: Person, requirement_id: int, *, evidence: str, activity_id: int | None = None,
                on_date: date | None = None) -> ManualSignoff:
    """The primary mentor confirms a MANUAL requirement (a milestone) with the evidence seen."""
    from trainee.activities.models import Activity, ActivityStatus

    policy.require(actor, "transition.sign", person)
    requirement = db.session.get(Requirement, requirement_id)
    if requirement is None or not requirement.active or requirement.kind is not RequirementKind.MANUAL:
        raise ValidationFailed("没有这个导师确认事项。", {"requirement": ["没有这个导师确认事项。"]})
    evidence = _clean_text(evidence, "evidence", label="依据")
    on_date = _check_date(on_date or local_today(), "on_date")
    view = engine.person_progress(person).transition(requirement.transition.code)
    if view.status is TransitionStatus.LOCKED:
        raise DomainError(f"{view.code} 所在阶段尚未开启，不能确认。")
    exists = db.session.execute(db.select(ManualSignoff.id).where(
        ManualSignoff.person_id == person.id, ManualSignoff.requirement_id == requirement.id)).first()
    if exists:
        raise DomainError(f"「{requirement.label}」已确认，不能重复签署。")
    if activity_id is not None:
        activity = db.session.get(Activity, activity_id)
        if activity is None or activity.person_id != person.id or activity.status is not ActivityStatus.APPROVED:
            raise ValidationFailed("作为依据的工作记录须是本人已通过的记录。", {"activity_id": ["无效的工作记录。"]})
    fields = ("requirement_id", "mentor_id", "signed_on", "evidence", "activity_id")
    with transaction():
        signoff = ManualSignoff(person_id=person.id, requirement_id=requirement.id, mentor_id=actor.person_id,
                                signed_on=on_date, evidence=evidence, activity_id=activity_id)
        db.session.add(signoff)
        db.session.flush()
        audit.record("manual_requirement.signed", signoff, after=audit.snapshot(signoff, fields),
                     summary=f"导师确认 {person.name}：{requirement.label}", unit_id=person.unit_id)
        notify(person, "manual_signed", f"导师已确认：{requirement.label}", link=_progress_link(person))
    return signoff


# --- promotion ---------------------------------------------------------------------------------------

def _next_stage(stage: Stage) -> Stage | None:
    return db.session.execute(db.select(Stage).where(Stage.order > stage.order).order_by(Stage.order)).scalars().first()


def recommend_promotion(actor, person: Person, comment: str) -> PromotionRequest:
    policy.require(actor, "promotion.recommend", person)
    comment = _clean_text(comment, "comment", label="推荐意见")
    progress = engine.person_progress(person)
    if progress.qualified:
        raise DomainError("此人已培养合格，无需再推荐。")
    if progress.pending_promotion is not None:
        raise DomainError("已有一份晋阶推荐在等待政治部审批。")
    blockers = engine.promotion_blockers(person, progress=progress)
    if blockers:
        raise DomainError("暂不能推荐晋阶：" + " ".join(blockers))
    stage = progress.current.stage
    target = _next_stage(stage)
    fields = ("from_stage_id", "to_stage_id", "status", "recommendation")
    with transaction():
        request = PromotionRequest(person_id=person.id, from_stage_id=stage.id, to_stage_id=target.id if target else None,
                                   mentor_id=actor.person_id, recommended_on=local_today(), recommendation=comment,
                                   status=PromotionStatus.RECOMMENDED)
        db.session.add(request)
        db.session.flush()
        what = f"晋升{target.name}" if target else "培养合格（完成高阶）"
        audit.record("promotion.recommended", request, after=audit.snapshot(request, fields),
                     summary=f"导师推荐 {person.name} {what}", unit_id=person.unit_id)
        for hr in _hr_users_for(person):
            notify(hr, "promotion_recommended", f"导师推荐 {person.name} {what}，请审批。", link=_progress_link(person))
    return request


def _open_record(person) -> StageRecord | None:
    return db.session.execute(db.select(StageRecord).where(StageRecord.person_id == person.id,
                                                           StageRecord.end_date.is_(None))).scalar_one_or_none()


def decide_promotion(actor, request: PromotionRequest, *, approve: bool, comment: str = "",
                     on_date: date | None = None) -> PromotionRequest:
    """HR approves (the stage changes on the approval date) or returns a recommendation."""
    person = request.person
    policy.require(actor, "promotion.decide", person)
    comment = _clean_text(comment, "comment", required=not approve, label="审批意见")
    on_date = _check_date(on_date or local_today(), "on_date")
    if request.status is not PromotionStatus.RECOMMENDED:
        raise DomainError(f"此晋阶推荐已{request.status.label}，不能再次审批。")
    record = _open_record(person)
    if approve:
        blockers = engine.promotion_blockers(person)
        if blockers:
            raise DomainError("不能批准晋阶：" + " ".join(blockers))
        if record is None or record.stage_id != request.from_stage_id:
            raise DomainError("此人的当前阶段已变化，推荐已失效，请退回。")
        if on_date < record.start_date:
            raise ValidationFailed("批准日期不能早于本阶段开始日期。", {"on_date": ["日期过早。"]})
    fields = ("status", "decided_on", "decision_comment")
    before = audit.snapshot(request, fields)
    with transaction():
        request.status = PromotionStatus.APPROVED if approve else PromotionStatus.RETURNED
        request.decided_by_id, request.decided_on, request.decision_comment = actor.id, on_date, comment or None
        new_record = None
        if approve:
            if request.to_stage_id:  # completing S3 keeps the S3 record open: the trainee stays 高阶, 培养合格
                record.end_date = on_date
                new_record = StageRecord(person_id=person.id, stage_id=request.to_stage_id, start_date=on_date,
                                         reason="晋阶审批通过", approved_by_id=actor.id)
                db.session.add(new_record)
                db.session.add(CareerEvent(person_id=person.id, kind=CareerEventKind.STAGE_PROMOTION, date=on_date,
                                           note=f"晋升{request.to_stage.name}", recorded_by_id=actor.id))
            else:
                db.session.add(CareerEvent(person_id=person.id, kind=CareerEventKind.TRAINING_COMPLETED, date=on_date,
                                           note="完成高阶培养，培养合格", recorded_by_id=actor.id))
        db.session.flush()
        what = f"晋升{request.to_stage.name}" if request.to_stage else "培养合格"
        audit.record("promotion.approved" if approve else "promotion.returned", request, before=before,
                     after=audit.snapshot(request, fields), unit_id=person.unit_id,
                     summary=f"政治部{'批准' if approve else '退回'} {person.name} {what}")
        if new_record is not None:
            signals.stage_entered.send(new_record, actor=actor)
        text = f"您的晋阶（{what}）已获批准。" if approve else f"您的晋阶推荐被退回：{comment}"
        notify(person, "promotion_decided", text[:300], link=_progress_link(person))
        notify(request.mentor, "promotion_decided", f"{person.name} 的晋阶推荐已{request.status.label}。",
               link=_progress_link(person))
    engine.reset_model_cache()
    return request


def place_in_stage(actor, person: Person, stage_code: str, *, reason: str, on_date: date | None = None) -> StageRecord:
    """HR places an experienced hire straight into S2 or S3; earlier transitions are recorded as waived."""
    policy.require(actor, "promotion.place", person)
    reason = _clean_text(reason, "reason", label="定阶理由", max_len=200)
    on_date = _check_date(on_date or local_today(), "on_date")
    stage = db.session.execute(db.select(Stage).where(Stage.code == stage_code)).scalar_one_or_none()
    if stage is None or stage.order == 1:
        raise ValidationFailed("只能直接定为中阶或高阶。", {"stage": ["只能直接定为中阶或高阶。"]})
    record = _open_record(person)
    if record is not None and record.stage.order >= stage.order:
        raise DomainError(f"此人已在{record.stage.name}，不能定为{stage.name}。")
    if record is not None and on_date < record.start_date:
        raise ValidationFailed("定阶日期不能早于当前阶段开始日期。", {"on_date": ["日期过早。"]})
    earlier = db.session.execute(db.select(Transition).join(Stage).where(Stage.order < stage.order)).scalars().all()
    with transaction():
        if record is not None:
            record.end_date = on_date
        new_record = StageRecord(person_id=person.id, stage_id=stage.id, start_date=on_date,
                                 reason=f"直接定阶：{reason}", approved_by_id=actor.id)
        db.session.add(new_record)
        for transition in earlier:
            state = _state(person, transition)
            if state is not None and state.status is TransitionStatus.ACHIEVED:
                continue
            if state is None:
                state = TransitionState(person_id=person.id, transition_id=transition.id,
                                        status=TransitionStatus.ACHIEVED)
                db.session.add(state)
            state.status, state.decided_on, state.comment, state.mentor_id = (
                TransitionStatus.ACHIEVED, on_date, f"直接定阶：{reason}", None)
            _event(person, transition, SignoffAction.PLACED, actor, comment=reason, on_date=on_date)
        db.session.add(CareerEvent(person_id=person.id, kind=CareerEventKind.STAGE_PLACEMENT, date=on_date,
                                   note=f"直接定为{stage.name}：{reason}"[:300], recorded_by_id=actor.id))
        db.session.flush()
        audit.record("stage.placed", new_record, after={"stage": stage.code, "start_date": on_date.isoformat(),
                                                        "reason": reason},
                     summary=f"政治部将 {person.name} 直接定为{stage.name}", unit_id=person.unit_id)
        signals.stage_entered.send(new_record, actor=actor)
        notify(person, "stage_placed", f"政治部已将您直接定为{stage.name}。", link=_progress_link(person))
    return new_record


# --- career events -----------------------------------------------------------------------------------

STATUS_OF = {CareerEventKind.HIRE: PersonStatus.ACTIVE, CareerEventKind.SELECTED: PersonStatus.SELECTED,
             CareerEventKind.TO_JUDICIAL_ADMIN: PersonStatus.TRANSFERRED,
             CareerEventKind.TRANSFER: PersonStatus.TRANSFERRED, CareerEventKind.LEFT: PersonStatus.LEFT}
MANUAL_KINDS = [CareerEventKind.HIRE, CareerEventKind.RANK_PROMOTION, CareerEventKind.ROTATION,
                CareerEventKind.TO_JUDICIAL_ADMIN, CareerEventKind.SELECTED, CareerEventKind.TRANSFER,
                CareerEventKind.LEFT]


def record_career_event(actor, person: Person, *, kind: str, on_date, doc_no: str = "", note: str = "") -> CareerEvent:
    """HR records a career event; the person's status follows from the latest status-bearing event."""
    policy.require(actor, "career.record", person)
    try:
        kind = CareerEventKind[kind] if isinstance(kind, str) else kind
    except KeyError:
        kind = None
    if kind not in MANUAL_KINDS:
        raise ValidationFailed("请选择事件类型。", {"kind": ["请选择事件类型。"]})
    on_date = _check_date(on_date, "date")
    doc_no = _clean_text(doc_no, "doc_no", required=kind in (CareerEventKind.SELECTED, CareerEventKind.RANK_PROMOTION),
                         max_len=80, label="文号")
    note = _clean_text(note, "note", required=False, max_len=300, label="备注")
    with transaction():
        event = CareerEvent(person_id=person.id, kind=kind, date=on_date, doc_no=doc_no or None, note=note or None,
                            recorded_by_id=actor.id)
        db.session.add(event)
        db.session.flush()
        before_status = person.status
        status_events = db.session.execute(db.select(CareerEvent).where(
            CareerEvent.person_id == person.id, CareerEvent.kind.in_(list(STATUS_OF)))
            .order_by(CareerEvent.date, CareerEvent.id)).scalars().all()
        if status_events:
            person.status = STATUS_OF[status_events[-1].kind]
        audit.record("career_event.recorded", event,
                     after=audit.snapshot(event, ("kind", "date", "doc_no", "note")) | {"person_status": person.status.name},
                     before={"person_status": before_status.name},
                     summary=f"记录 {person.name} 的职业事件：{kind.label}", unit_id=person.unit_id)
    return event


# --- rotations ---------------------------------------------------------------------------------------

ROTATION_FIELDS = ("department_id", "start_date", "end_date", "note", "status", "confirmed_by_id", "confirmed_on")


def _dept_heads(department_id):
    return db.session.execute(db.select(User).join(UserRole).join(Person, Person.id == User.person_id).where(
        UserRole.role == Role.DEPT_HEAD, Person.department_id == department_id, User.active)).scalars().all()


def create_rotation(actor, person: Person, *, department_id, start_date, end_date=None, note="") -> Rotation:
    policy.require(actor, "rotation.create", person)
    department = db.session.get(Department, department_id) if isinstance(department_id, int) else None
    if department is None or department.unit_id != person.unit_id:
        raise ValidationFailed("请选择本单位的轮岗部门。", {"department_id": ["请选择本单位的轮岗部门。"]})
    start_date = _check_date(start_date, "start_date", label="开始日期")
    if end_date is not None:
        end_date = _check_date(end_date, "end_date", not_future=False, label="结束日期")
        if end_date < start_date:
            raise ValidationFailed("结束日期不能早于开始日期。", {"end_date": ["结束日期不能早于开始日期。"]})
    note = _clean_text(note, "note", required=False, max_len=300, label="说明")
    with transaction():
        rotation = Rotation(person_id=person.id, department_id=department.id, start_date=start_date,
                            end_date=end_date, note=note or None, status=RotationStatus.PENDING)
        db.session.add(rotation)
        db.session.flush()
        audit.record("rotation.created", rotation, after=audit.snapshot(rotation, ROTATION_FIELDS),
                     summary=f"登记 {person.name} 到{department.name}轮岗", unit_id=person.unit_id)
        for head in _dept_heads(department.id):
            notify(head, "rotation_pending", f"{person.name} 到{department.name}轮岗，请确认。",
                   link=_link("training.career_page", person_id=person.id))
    return rotation


def confirm_rotation(actor, rotation: Rotation, *, confirm: bool = True) -> Rotation:
    policy.require(actor, "rotation.confirm", rotation)
    if rotation.status is not RotationStatus.PENDING:
        raise DomainError(f"此轮岗记录已{rotation.status.label}，不能再次处理。")
    before = audit.snapshot(rotation, ROTATION_FIELDS)
    with transaction():
        rotation.status = RotationStatus.CONFIRMED if confirm else RotationStatus.REJECTED
        rotation.confirmed_by_id, rotation.confirmed_on = actor.person_id, local_today()
        db.session.flush()
        audit.record("rotation.confirmed" if confirm else "rotation.rejected", rotation, before=before,
                     after=audit.snapshot(rotation, ROTATION_FIELDS), unit_id=rotation.person.unit_id,
                     summary=f"{rotation.department.name}{'确认' if confirm else '未确认'} {rotation.person.name} 的轮岗")
        if confirm:
            db.session.add(CareerEvent(person_id=rotation.person_id, kind=CareerEventKind.ROTATION,
                                       date=rotation.start_date, note=f"轮岗至{rotation.department.name}",
                                       recorded_by_id=actor.id))
        notify(rotation.person, "rotation_decided",
               f"{rotation.department.name}已{'确认' if confirm else '未确认'}您的轮岗。",
               link=_link("training.career_page", person_id=rotation.person_id))
    return rotation


# --- development plan --------------------------------------------------------------------------------

PLAN_FIELDS = ("year", "direction", "track", "goals_1y", "goals_2y", "goals_3y", "status", "review_comment")


def save_plan(actor, person: Person, *, direction, track, goals_1y, goals_2y="", goals_3y="",
              submit: bool = False) -> DevelopmentPlan:
    """The trainee writes this year's plan (draft or submitted); an approved plan of the year is locked."""
    policy.require(actor, "plan.edit", person)
    errors = {}
    if direction not in PlanDirection.__members__:
        errors["direction"] = ["请选择发展方向。"]
    if track not in PlanTrack.__members__:
        errors["track"] = ["请选择目标序列。"]
    if errors:
        raise ValidationFailed("请完整填写发展规划。", errors)
    goals_1y = _clean_text(goals_1y, "goals_1y", max_len=2000, label="一年目标")
    goals_2y = _clean_text(goals_2y, "goals_2y", required=False, max_len=2000, label="两年目标")
    goals_3y = _clean_text(goals_3y, "goals_3y", required=False, max_len=2000, label="三年目标")
    year = local_today().year
    plan = db.session.execute(db.select(DevelopmentPlan).where(DevelopmentPlan.person_id == person.id,
                                                               DevelopmentPlan.year == year)).scalar_one_or_none()
    if plan is not None and plan.status in (PlanStatus.APPROVED, PlanStatus.SUBMITTED):
        raise DomainError(f"{year} 年的发展规划已{plan.status.label}，不能修改。")
    before = audit.snapshot(plan, PLAN_FIELDS) if plan else None
    with transaction():
        if plan is None:
            plan = DevelopmentPlan(person_id=person.id, year=year)
            db.session.add(plan)
        plan.direction, plan.track = PlanDirection[direction], PlanTrack[track]
        plan.goals_1y, plan.goals_2y, plan.goals_3y = goals_1y, goals_2y, goals_3y
        plan.status = PlanStatus.SUBMITTED if submit else PlanStatus.DRAFT
        db.session.flush()
        audit.record("plan.submitted" if submit else "plan.saved", plan, before=before,
                     after=audit.snapshot(plan, PLAN_FIELDS), unit_id=person.unit_id,
                     summary=f"{person.name} {'提交' if submit else '保存'} {year} 年发展规划")
        if submit:
            mentor = policy_primary_mentor(person)
            if mentor is not None:
                notify(mentor, "plan_submitted", f"{person.name} 提交了 {year} 年个人发展规划，请审核。",
                       link=_link("training.career_page", person_id=person.id))
    return plan


def review_plan(actor, plan: DevelopmentPlan, *, approve: bool, comment: str = "") -> DevelopmentPlan:
    person = plan.person
    policy.require(actor, "plan.review", person)
    comment = _clean_text(comment, "comment", required=not approve, label="审核意见")
    if plan.status is not PlanStatus.SUBMITTED:
        raise DomainError(f"此发展规划{plan.status.label}，不能审核。")
    before = audit.snapshot(plan, PLAN_FIELDS)
    with transaction():
        plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
        plan.reviewed_by_id, plan.reviewed_on, plan.review_comment = actor.person_id, local_today(), comment or None
        db.session.flush()
        audit.record("plan.approved" if approve else "plan.returned", plan, before=before,
                     after=audit.snapshot(plan, PLAN_FIELDS), unit_id=person.unit_id,
                     summary=f"导师{'审核通过' if approve else '退回'} {person.name} 的发展规划")
        notify(person, "plan_reviewed", f"导师已{'审核通过' if approve else '退回'}您的发展规划。" + (comment or ""),
               link=_link("training.career_page", person_id=person.id))
    return plan
