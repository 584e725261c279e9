"""Home-page widgets of the training feature: trainee, mentor, HR and department head."""
from sqlalchemy.orm import selectinload

from trainee import policy
from trainee.extensions import db
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.org.models import Person
from trainee.training.models import (
    DevelopmentPlan,
    PlanStatus,
    PromotionRequest,
    PromotionStatus,
    Rotation,
    RotationStatus,
    TransitionStatus,
)
from trainee.training.progress import person_progress, progress_for_many, promotion_blockers


def trainee_widget(user):
    if user.person is None or not user.person.is_trainee:
        return None
    return {"progress": person_progress(user.person), "read_only": policy.is_read_only(user.person)}


def mentor_widget(user):
    if user.person_id is None:
        return None
    mentees = db.session.execute(
        db.select(Person).join(MentorAssignment, MentorAssignment.trainee_id == Person.id).where(
            MentorAssignment.mentor_id == user.person_id, MentorAssignment.kind == AssignmentKind.PRIMARY,
            MentorAssignment.end_date.is_(None)).order_by(Person.name)).scalars().all()
    if not mentees:
        return None
    progresses = progress_for_many(mentees)
    to_sign, to_recommend = [], []
    for progress in progresses:
        for tv in progress.transitions:
            if tv.status is TransitionStatus.SUBMITTED:
                to_sign.append((progress.person, tv))
        if (progress.current is not None and progress.pending_promotion is None and not progress.qualified
                and not policy.is_read_only(progress.person)
                and not promotion_blockers(progress.person, progress=progress)):
            to_recommend.append(progress)
    plans = db.session.execute(db.select(DevelopmentPlan).where(
        DevelopmentPlan.person_id.in_([m.id for m in mentees]), DevelopmentPlan.status == PlanStatus.SUBMITTED)
        .options(selectinload(DevelopmentPlan.person))).scalars().all()
    return {"progresses": progresses, "to_sign": to_sign, "to_recommend": to_recommend, "plans": plans}


def hr_widget(user):
    pending = db.session.execute(
        db.select(PromotionRequest).join(Person, Person.id == PromotionRequest.person_id)
        .where(PromotionRequest.status == PromotionStatus.RECOMMENDED, policy.person_scope_filter(user))
        .options(selectinload(PromotionRequest.person).selectinload(Person.unit),
                 selectinload(PromotionRequest.mentor), selectinload(PromotionRequest.from_stage),
                 selectinload(PromotionRequest.to_stage))
        .order_by(PromotionRequest.recommended_on)).scalars().all()
    return {"pending": pending}


def head_widget(user):
    if user.person is None or user.person.department_id is None:
        return None
    rotations = db.session.execute(
        db.select(Rotation).where(Rotation.department_id == user.person.department_id,
                                  Rotation.status == RotationStatus.PENDING)
        .options(selectinload(Rotation.person)).order_by(Rotation.start_date)).scalars().all()
    return {"rotations": rotations}
