"""Read side of the progress log: lists, the review queue, history and widget figures.

Every list loads its rows with a fixed number of statements (eager loading, SQL aggregates), so the
query count of a page does not grow with the data.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from trainee import policy
from trainee.activities.models import Activity, ActivityStatus, ActivityType, Evidence
from trainee.audit import AuditEntry
from trainee.core.params import as_int
from trainee.core.time import local_today, to_local
from trainee.extensions import db
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.org.models import Person

OVERDUE_DAYS = 7


@dataclass
class Filters:
    status: ActivityStatus | None = None
    type_code: str | None = None
    year: int | None = None
    transition: str | None = None

    @classmethod
    def from_args(cls, args) -> "Filters":
        status = args.get("status", "")
        year = args.get("year", "")
        transition = args.get("transition", "").upper()
        return cls(status=ActivityStatus[status] if status in ActivityStatus.__members__ else None,
                   type_code=(args.get("type") or None) and args.get("type")[:32],
                   year=as_int(year, 2000, 2100),
                   transition=transition if transition in {f"T{i}" for i in range(1, 10)} else None)

    def args(self) -> dict:
        values = {"status": self.status.name if self.status else None, "type": self.type_code, "year": self.year,
                  "transition": self.transition}
        return {k: v for k, v in values.items() if v not in (None, "")}


def _eager(query):
    return query.options(joinedload(Activity.type), joinedload(Activity.transition),
                         selectinload(Activity.evidence))


def filtered(query, filters: Filters):
    from trainee.training.models import Transition

    if filters.status is not None:
        query = query.where(Activity.status == filters.status)
    if filters.type_code:
        query = query.where(Activity.type_id.in_(select(ActivityType.id).where(ActivityType.code == filters.type_code)))
    if filters.year:
        query = query.where(Activity.date >= date(filters.year, 1, 1), Activity.date <= date(filters.year, 12, 31))
    if filters.transition:
        query = query.where(Activity.transition_id.in_(select(Transition.id).where(Transition.code == filters.transition)))
    return query


def person_entries(person_id: int, filters: Filters):
    """A person's entries, newest first (the list page paginates this)."""
    query = select(Activity).where(Activity.person_id == person_id)
    return _eager(filtered(query, filters)).order_by(Activity.date.desc(), Activity.id.desc())


def status_counts(person_id: int) -> dict:
    rows = db.session.execute(select(Activity.status, func.count(Activity.id)).where(Activity.person_id == person_id)
                              .group_by(Activity.status)).all()
    return {status: count for status, count in rows}


def years_of(person_id: int) -> list[int]:
    first = db.session.execute(select(func.min(Activity.date)).where(Activity.person_id == person_id)).scalar()
    this_year = local_today().year
    return list(range(this_year, (first.year if first else this_year) - 1, -1))


def current_mentees(mentor_person_id: int):
    """A subquery of the ids of the mentor's current primary mentees."""
    return select(MentorAssignment.trainee_id).where(
        MentorAssignment.mentor_id == mentor_person_id, MentorAssignment.kind == AssignmentKind.PRIMARY,
        MentorAssignment.end_date.is_(None))


def mentee_people(mentor_person_id: int) -> list[Person]:
    return db.session.execute(select(Person).where(Person.id.in_(current_mentees(mentor_person_id)))
                              .order_by(Person.name)).scalars().all()


def review_queue(mentor_person_id: int, *, person_id: int | None = None, type_code: str | None = None):
    """Pending entries of the mentor's current mentees, oldest first."""
    query = select(Activity).where(Activity.status == ActivityStatus.SUBMITTED,
                                   Activity.person_id.in_(current_mentees(mentor_person_id)))
    if person_id:
        query = query.where(Activity.person_id == person_id)
    if type_code:
        query = query.where(Activity.type_id.in_(select(ActivityType.id).where(ActivityType.code == type_code)))
    return _eager(query).options(joinedload(Activity.person)).order_by(Activity.submitted_at, Activity.id)


def days_waiting(activity: Activity, today: date | None = None) -> int:
    if activity.submitted_at is None:
        return 0
    return ((today or local_today()) - to_local(activity.submitted_at).date()).days


def queue_summary(mentor_person_id: int) -> dict:
    """Count and oldest submission of the mentor's queue, in one statement."""
    count, oldest = db.session.execute(select(func.count(Activity.id), func.min(Activity.submitted_at)).where(
        Activity.status == ActivityStatus.SUBMITTED, Activity.person_id.in_(current_mentees(mentor_person_id)))).one()
    waiting = (local_today() - to_local(oldest).date()).days if isinstance(oldest, datetime) else 0
    overdue = db.session.execute(select(func.count(Activity.id)).where(
        Activity.status == ActivityStatus.SUBMITTED, Activity.person_id.in_(current_mentees(mentor_person_id)),
        Activity.submitted_at < _cutoff())).scalar_one()
    return {"count": count, "oldest_days": waiting, "overdue": overdue}


def _cutoff() -> datetime:
    from datetime import timedelta

    from trainee.core.time import utcnow

    return utcnow() - timedelta(days=OVERDUE_DAYS)


def overdue_in_scope(user) -> list[tuple]:
    """HR: (mentor, count, oldest submission) of entries waiting more than 7 days, in the user's scope."""
    reviewer = db.aliased(Person)
    return db.session.execute(
        select(reviewer, func.count(Activity.id), func.min(Activity.submitted_at))
        .join(Person, Person.id == Activity.person_id).join(reviewer, reviewer.id == Activity.reviewer_id)
        .where(Activity.status == ActivityStatus.SUBMITTED, Activity.submitted_at < _cutoff(),
               policy.person_scope_filter(user))
        .group_by(reviewer.id).order_by(func.min(Activity.submitted_at))).all()


def history(activity: Activity) -> list[AuditEntry]:
    return db.session.execute(select(AuditEntry).where(
        AuditEntry.object_type == "Activity", AuditEntry.object_id == activity.id)
        .order_by(AuditEntry.at, AuditEntry.id)).scalars().all()


def trainee_home(person_id: int) -> dict:
    recent = db.session.execute(_eager(select(Activity).where(Activity.person_id == person_id))
                                .order_by(Activity.updated_at.desc(), Activity.id.desc()).limit(5)).scalars().all()
    returned = db.session.execute(_eager(select(Activity).where(Activity.person_id == person_id,
                                                                Activity.status == ActivityStatus.RETURNED))
                                  .order_by(Activity.reviewed_at)).scalars().all()
    return {"recent": recent, "returned": returned, "counts": status_counts(person_id)}


def evidence_of(evidence_id: int) -> Evidence | None:
    return db.session.execute(select(Evidence).where(Evidence.id == evidence_id)
                              .options(joinedload(Evidence.activity).joinedload(Activity.person))).scalar_one_or_none()
