"""Read-side queries for people lists: scoped, filtered, sorted, paginated, with a constant number of queries."""
import re
from dataclasses import dataclass

from flask_babel import gettext as _
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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_pattern(text: str) -> str:
    return f"%{_escape_like(text)}%"


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
    # The page's ids first (a narrow sort), then its 50 rows with unit and department: sorting whole joined rows to
    # skip 10,000 of them cost 20 ms at page 200 of a city.
    ids = db.session.execute(ordered(query.with_only_columns(Person.id), flt)
                             .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    rows = db.session.execute(select(Person).where(Person.id.in_(ids))
                              .options(joinedload(Person.unit), joinedload(Person.department))).scalars().all()
    position = {pid: i for i, pid in enumerate(ids)}
    items = sorted(rows, key=lambda p: position[p.id])
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


@dataclass(frozen=True)
class MentorChoice:
    """A mentor as the people list's picker offers it: a tuple row, not an ORM object."""
    id: int
    name: str
    staff_no: str
    unit: str
    load: int  # active primary mentees
    capacity: int

    @property
    def label(self) -> str:
        return _("%(name)s %(staff_no)s（%(unit)s，现带 %(n)s / %(cap)s）", name=self.name, staff_no=self.staff_no,
                 unit=self.unit, n=self.load, cap=self.capacity)


MENTOR_PICKER_LIMIT = 20


def _mentor_choices(user, *conditions, order=(), limit=None) -> list[MentorChoice]:
    """People in the user's scope who can be chosen as primary mentor, with their load and capacity.

    The load is a correlated count over the (mentor_id, end_date) index, so a search for 20 names does not group
    every assignment in the city first."""
    from trainee.auth.models import Role, User, UserRole

    active = (MentorAssignment.mentor_id == Person.id, MentorAssignment.kind == AssignmentKind.PRIMARY,
              MentorAssignment.end_date.is_(None))
    load = select(func.count(MentorAssignment.id)).where(*active).correlate(Person).scalar_subquery()
    mentor_role = select(User.person_id).join(UserRole).where(UserRole.role == Role.MENTOR)
    query = (select(Person.id, Person.name, Person.staff_no, Unit.short_name, load, Person.mentor_capacity)
             .join(Unit, Unit.id == Person.unit_id)
             .where(policy.person_scope_filter(user), Person.status == PersonStatus.ACTIVE,
                    Person.position != Position.ASSISTANT,
                    or_(Person.id.in_(mentor_role), select(MentorAssignment.id).where(*active).exists()), *conditions)
             .order_by(*order, Person.unit_id, Person.name, Person.id).limit(limit))
    return [MentorChoice(pid, name, staff_no, unit, n, DEFAULT_CAPACITY if cap is None else cap)
            for pid, name, staff_no, unit, n, cap in db.session.execute(query)]


def search_mentors(user, text: str, limit: int = MENTOR_PICKER_LIMIT) -> list[MentorChoice]:
    """Mentors in scope whose name or staff number contains `text`: exact staff number first, then names that
    start with it. An empty `text` lists the first ones in unit order."""
    text = (text or "").strip()[:50]
    if not text:
        return _mentor_choices(user, limit=limit)
    pattern = _like_pattern(text)
    prefix = _escape_like(text) + "%"
    return _mentor_choices(
        user, or_(Person.name.like(pattern, escape="\\"), Person.staff_no.ilike(pattern, escape="\\")),
        order=(func.lower(Person.staff_no) != text.lower(), ~Person.name.like(prefix, escape="\\")), limit=limit)


def mentor_choice(user, mentor_id: int | None) -> MentorChoice | None:
    """The mentor with this id if the user may choose them, else None."""
    if not mentor_id:
        return None
    found = _mentor_choices(user, Person.id == mentor_id, limit=1)
    return found[0] if found else None


STAFF_NO_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")


def find_mentor(user, text: str) -> tuple[MentorChoice | None, str | None]:
    """Resolve what a person typed into the mentor field without the picker's script: a staff number, an exact
    name, or a label the page showed ("姓名 工号（单位，…）"). Returns (mentor, None) or (None, a message)."""
    text = (text or "").strip()[:100]
    if not text:
        return None, _("请选择带教导师。")
    name = text.split("（")[0].split("(")[0].strip()
    tokens = [text] + [t for t in STAFF_NO_TOKEN.findall(name) if t != text]
    found = _mentor_choices(user, Person.staff_no.in_({v for t in tokens for v in (t, t.upper())}), limit=2)
    if len(found) == 1:
        return found[0], None
    person_name = name.split()[0] if name.split() else name
    found = _mentor_choices(user, Person.name == person_name, limit=2)
    if len(found) == 1:
        return found[0], None
    if found:
        return None, _("有多位导师名为“%(name)s”，请输入工号。", name=person_name)
    return None, _("您的管理范围内没有工号或姓名为“%(text)s”的带教导师。", text=text)


def departments_in_scope(user):
    """(id, name, unit short name, unit path) rows of the departments in the user's units (a city has hundreds),
    their units in organisation order."""
    rows = db.session.execute(
        select(Department.id, Department.name, Unit.short_name.label("unit"), Unit.path)
        .join(Unit, Unit.id == Department.unit_id).where(Unit.path.startswith(user.unit.path))).all()
    return sorted(rows, key=lambda r: (path_order(r.path), r.id))


def path_order(path: str) -> list[int]:
    """A unit path's sort key: parents before their children, siblings in the order they were set up (ids).
    Paths compared as text would put /1/10/ before /1/2/ once a city has ten units."""
    return [int(part) for part in path.strip("/").split("/")]


def organisation_order(units) -> list[Unit]:
    return sorted(units, key=lambda u: path_order(u.path))


def units_in_scope(user, path: str | None = None):
    """The units this user manages (their own and every unit beneath it), or those under `path`, in organisation order."""
    return organisation_order(db.session.execute(
        select(Unit).where(Unit.path.startswith(path or user.unit.path))).scalars().all())
