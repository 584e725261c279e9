"""Mentor assignments: reassigning a primary mentor ends the current assignment and starts a new one.

History is never lost: the old row keeps its dates and gets an end date and reason.
"""
from datetime import date

from sqlalchemy import func, select

from trainee import audit, policy
from trainee.core.errors import DomainError, ValidationFailed
from trainee.core.ops import transaction
from trainee.core.time import local_today
from trainee.extensions import db
from trainee.mentoring.models import DEFAULT_CAPACITY, AssignmentKind, MentorAssignment
from trainee.org.models import Person, PersonStatus, Position
from trainee.signals import mentor_changed

ASSIGNMENT_FIELDS = ("trainee_id", "mentor_id", "kind", "start_date", "end_date", "reason", "end_reason")


def capacity_of(mentor: Person) -> int:
    return mentor.mentor_capacity if mentor.mentor_capacity is not None else DEFAULT_CAPACITY


def active_primary_count(mentor: Person) -> int:
    return db.session.execute(select(func.count(MentorAssignment.id)).where(
        MentorAssignment.mentor_id == mentor.id, MentorAssignment.kind == AssignmentKind.PRIMARY,
        MentorAssignment.end_date.is_(None))).scalar_one()


def current_primary(trainee: Person) -> MentorAssignment | None:
    return db.session.execute(select(MentorAssignment).where(
        MentorAssignment.trainee_id == trainee.id, MentorAssignment.kind == AssignmentKind.PRIMARY,
        MentorAssignment.end_date.is_(None))).scalars().first()


def _validate_common(actor, mentor: Person, start_date, reason: str | None) -> str:
    if mentor is None or not policy.in_unit_scope(actor, mentor.unit):
        raise ValidationFailed("所选导师不存在或不在您的管理范围内。", {"mentor_id": ["请选择范围内的导师。"]})
    if mentor.position is Position.ASSISTANT or mentor.status is not PersonStatus.ACTIVE:
        raise ValidationFailed("所选人员不能担任带教导师（须为在职的员额检察官等）。",
                               {"mentor_id": ["不能担任带教导师。"]})
    if not isinstance(start_date, date):
        raise ValidationFailed("请填写有效的开始日期。", {"start_date": ["请填写有效的开始日期。"]})
    if start_date > local_today():
        raise ValidationFailed("开始日期不能晚于今天。", {"start_date": ["开始日期不能晚于今天。"]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写调整原因。", {"reason": ["请填写调整原因。"]})
    if len(reason) > 200:
        raise ValidationFailed("调整原因不超过 200 个字。", {"reason": ["不超过 200 个字。"]})
    if "<" in reason or ">" in reason:
        raise ValidationFailed("调整原因不能包含尖括号等标记字符。", {"reason": ["不能包含尖括号等标记字符。"]})
    return reason


def _check_trainee(actor, trainee: Person, mentor: Person, start_date) -> MentorAssignment | None:
    policy.require(actor, "mentoring.assign", trainee)
    if trainee.position is not Position.ASSISTANT or trainee.status is not PersonStatus.ACTIVE:
        raise ValidationFailed(f"{trainee.name} 不是在培的检察官助理，不能分配带教导师。")
    if trainee.id == mentor.id:
        raise ValidationFailed(f"{trainee.name} 不能担任自己的带教导师。")
    current = current_primary(trainee)
    if current is not None and current.mentor_id == mentor.id:
        raise DomainError(f"{mentor.name} 已是 {trainee.name} 的带教导师。")
    if current is not None and start_date < current.start_date:
        raise ValidationFailed(f"开始日期不能早于 {trainee.name} 当前带教关系的开始日期。",
                               {"start_date": ["不能早于当前带教关系的开始日期。"]})
    return current


def _assign(actor, trainee: Person, mentor: Person, current, start_date, reason: str) -> MentorAssignment:
    if current is not None:
        before = audit.snapshot(current, ASSIGNMENT_FIELDS)
        current.end_date = start_date
        current.end_reason = reason
        audit.record("mentoring.ended", current, before=before, after=audit.snapshot(current, ASSIGNMENT_FIELDS),
                     summary=f"结束 {current.mentor.name} 对 {trainee.name} 的带教", unit_id=trainee.unit_id)
    assignment = MentorAssignment(trainee_id=trainee.id, mentor_id=mentor.id, kind=AssignmentKind.PRIMARY,
                                  start_date=start_date, reason=reason)
    db.session.add(assignment)
    db.session.flush()
    mentor_changed.send(assignment, actor=actor, previous=current)
    audit.record("mentoring.assigned", assignment, after=audit.snapshot(assignment, ASSIGNMENT_FIELDS),
                 summary=f"为 {trainee.name} 分配带教导师 {mentor.name}", unit_id=trainee.unit_id)
    return assignment


def _check_capacity(mentor: Person, adding: int) -> None:
    load, capacity = active_primary_count(mentor), capacity_of(mentor)
    if load + adding > capacity:
        raise DomainError(f"{mentor.name} 的带教名额已满：现带 {load} 人，上限 {capacity} 人，"
                          f"本次新增 {adding} 人。", {"mentor_id": ["导师带教名额不足。"]})


def assign_primary_mentor(actor, trainee: Person, mentor: Person, start_date, reason: str) -> MentorAssignment:
    """End the trainee's current primary assignment (if any) and start one with `mentor`."""
    reason = _validate_common(actor, mentor, start_date, reason)
    current = _check_trainee(actor, trainee, mentor, start_date)
    _check_capacity(mentor, 1)
    with transaction():
        return _assign(actor, trainee, mentor, current, start_date, reason)


def bulk_assign_primary_mentor(actor, trainees: list[Person], mentor: Person, start_date,
                               reason: str) -> list[MentorAssignment]:
    """Assign one mentor to several trainees: every check first, then all in one transaction or none."""
    if not trainees:
        raise ValidationFailed("请先勾选要分配导师的人员。")
    reason = _validate_common(actor, mentor, start_date, reason)
    currents = [_check_trainee(actor, t, mentor, start_date) for t in trainees]
    _check_capacity(mentor, len(trainees))
    with transaction():
        assignments = [_assign(actor, t, mentor, c, start_date, reason) for t, c in zip(trainees, currents, strict=True)]
        audit.record("mentoring.bulk_assigned", mentor, summary=f"批量为 {len(trainees)} 人分配带教导师 {mentor.name}",
                     after={"trainee_ids": [t.id for t in trainees], "mentor_id": mentor.id})
    return assignments
