"""Read-side queries for people lists: scoped, filtered, sorted, paginated, with a constant number of queries."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload

from trainee import policy
from trainee.core.params import as_id
from trainee.extensions import db
from trainee.mentoring.models import DEFAULT_CAPACITY, AssignmentKind, MentorAssignment
from trainee.org.models import Department, Person, PersonStatus, Position, Unit

# Sortable columns: the only values `sort=` accepts (anything else falls back to the default order).
SORTS = {
    "name": lambda: [Person.name],
    "staff_no": lambda: [Person.staff_no],
    "unit": lambda: [Unit.path, Unit.code],
    "department": lambda: [Department.name],
    "rank": lambda: [Person.rank],
    "hire_date": lambda: [Person.hire_date],
    "lq": lambda: [Person.legal_qualification],
    "status": lambda: [Person.status],
}


@dataclass
class PeopleFilter:
    q: str = ""
    unit_id: int | None = None
    department_id: int | None = None
    position: str | None = None
    status: str | None = None
    legal_qualification: str | None = None  # "1" / "0"
    role: str | None = None
    mentor_id: int | None = None
    stage: int | None = None
    idle: bool = False  # active trainees with no approved entry dated this quarter
    sort: str = ""
    desc: bool = False

    @classmethod
    def from_args(cls, args) -> "PeopleFilter":
        def as_int(name):
            return as_id(args.get(name))
        sort = args.get("sort", "")
        return cls(q=(args.get("q") or "").strip()[:50], unit_id=as_int("unit"), department_id=as_int("department"),
                   position=args.get("position") if args.get("position") in Position.__members__ else None,
                   status=args.get("status") if args.get("status") in PersonStatus.__members__ else None,
                   legal_qualification=args.get("lq") if args.get("lq") in ("0", "1") else None,
                   role=args.get("role") or None, mentor_id=as_int("mentor"),
                   stage=as_int("stage") if args.get("stage") in ("1", "2", "3") else None,
                   idle=args.get("idle") == "1", sort=sort if sort in SORTS else "", desc=args.get("dir") == "desc")

    def args(self, **override) -> dict:
        """The query-string form of this filter (for links that keep the filters)."""
        values = {"q": self.q, "unit": self.unit_id, "department": self.department_id, "position": self.position,
                  "status": self.status, "lq": self.legal_qualification, "role": self.role, "mentor": self.mentor_id,
                  "stage": self.stage, "idle": "1" if self.idle else None, "sort": self.sort, "dir": "desc" if self.desc else None}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def active_primary_mentor_of():
    """A subquery (trainee_id, mentor_id) of active primary assignments."""
    return select(MentorAssignment.trainee_id, MentorAssignment.mentor_id).where(
        MentorAssignment.kind == AssignmentKind.PRIMARY, MentorAssignment.end_date.is_(None))


def people_query(user, flt: PeopleFilter):
    query = select(Person).where(policy.person_scope_filter(user))
    if flt.q:
        pattern = _like_pattern(flt.q)
        query = query.where(or_(Person.name.like(pattern, escape="\\"), Person.staff_no.ilike(pattern, escape="\\")))
    if flt.unit_id:
        unit_path = select(Unit.path).where(Unit.id == flt.unit_id).scalar_subquery()
        query = query.where(Person.unit_id.in_(
            select(Unit.id).where(Unit.path.startswith(unit_path, autoescape=False))))
    if flt.department_id:
        query = query.where(Person.department_id == flt.department_id)
    if flt.position:
        query = query.where(Person.position == Position[flt.position])
    if flt.status:
        query = query.where(Person.status == PersonStatus[flt.status])
    if flt.legal_qualification:
        query = query.where(Person.legal_qualification.is_(flt.legal_qualification == "1"))
    if flt.mentor_id:
        mentees = select(MentorAssignment.trainee_id).where(
            MentorAssignment.mentor_id == flt.mentor_id, MentorAssignment.kind == AssignmentKind.PRIMARY,
            MentorAssignment.end_date.is_(None))
        query = query.where(Person.id.in_(mentees))
    if flt.stage:
        query = query.where(Person.id.in_(current_stage_members(flt.stage)))
    if flt.idle:
        from trainee.core.time import local_today, quarter_of
        from trainee.reports.overview import approved_since

        today = local_today()
        start = today.replace(month=(quarter_of(today) - 1) * 3 + 1, day=1)
        query = query.where(Person.position == Position.ASSISTANT, Person.status == PersonStatus.ACTIVE,
                            ~approved_since(start))
    if flt.role:
        from trainee.auth.models import Role, User, UserRole
        if flt.role in Role._value2member_map_:
            holders = select(User.person_id).join(UserRole).where(UserRole.role == Role(flt.role))
            query = query.where(Person.id.in_(holders))
    return query


def current_stage_members(stage: int):
    """Subquery of person ids whose open stage record is stage `stage` (1–3)."""
    from trainee.training.models import Stage, StageRecord

    return select(StageRecord.person_id).join(Stage, Stage.id == StageRecord.stage_id).where(
        StageRecord.end_date.is_(None), Stage.code == f"S{stage}")


def current_stages(people) -> dict:
    """{person id: Stage} of the current stage for the given people, in one query."""
    from trainee.training.models import Stage, StageRecord

    ids = [p.id for p in people]
    if not ids:
        return {}
    rows = db.session.execute(select(StageRecord.person_id, Stage).join(Stage, Stage.id == StageRecord.stage_id)
                              .where(StageRecord.person_id.in_(ids), StageRecord.end_date.is_(None))).all()
    return {pid: stage for pid, stage in rows}


def ordered(query, flt: PeopleFilter):
    if not flt.sort:
        return query.order_by(Person.unit_id, Person.staff_no)
    if flt.sort == "unit":
        query = query.join(Unit, Unit.id == Person.unit_id)
    elif flt.sort == "department":
        query = query.outerjoin(Department, Department.id == Person.department_id)
    columns = SORTS[flt.sort]()
    return query.order_by(*[c.desc() if flt.desc else c.asc() for c in columns], Person.id)


def paginate_people(user, flt: PeopleFilter, page: int, per_page: int):
    query = people_query(user, flt)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    items = db.session.execute(
        ordered(query, flt).options(joinedload(Person.unit), joinedload(Person.department))
        .limit(per_page).offset((page - 1) * per_page)
    ).scalars().all()
    return items, page, pages, total


def current_mentors(people) -> dict:
    """{trainee id: mentor Person} for the given people, in one query."""
    ids = [p.id for p in people]
    if not ids:
        return {}
    mentor = aliased(Person)
    rows = db.session.execute(
        select(MentorAssignment.trainee_id, mentor).join(mentor, mentor.id == MentorAssignment.mentor_id).where(
            MentorAssignment.trainee_id.in_(ids), MentorAssignment.kind == AssignmentKind.PRIMARY,
            MentorAssignment.end_date.is_(None))).all()
    return {trainee_id: m for trainee_id, m in rows}


def mentors_in_scope(user):
    """People in the user's scope who can be chosen as primary mentor, with their load and capacity."""
    load = (select(MentorAssignment.mentor_id, func.count(MentorAssignment.id).label("n"))
            .where(MentorAssignment.kind == AssignmentKind.PRIMARY, MentorAssignment.end_date.is_(None))
            .group_by(MentorAssignment.mentor_id).subquery())
    from trainee.auth.models import Role, User, UserRole
    mentor_role = select(User.person_id).join(UserRole).where(UserRole.role == Role.MENTOR)
    rows = db.session.execute(
        select(Person, func.coalesce(load.c.n, 0)).outerjoin(load, load.c.mentor_id == Person.id)
        .options(joinedload(Person.unit))
        .where(policy.person_scope_filter(user), Person.status == PersonStatus.ACTIVE,
               Person.position != Position.ASSISTANT, or_(Person.id.in_(mentor_role), load.c.n > 0))
        .order_by(Person.unit_id, Person.name)).all()
    return [(p, n, p.mentor_capacity if p.mentor_capacity is not None else DEFAULT_CAPACITY) for p, n in rows]


def departments_in_scope(user):
    return db.session.execute(
        select(Department).join(Unit, Unit.id == Department.unit_id).options(joinedload(Department.unit))
        .where(Unit.path.startswith(user.unit.path)).order_by(Unit.path, Department.id)).scalars().all()


def units_in_scope(user):
    """The units this user manages: their own and every unit beneath it."""
    return db.session.execute(
        select(Unit).where(Unit.path.startswith(user.unit.path)).order_by(Unit.path)).scalars().all()
