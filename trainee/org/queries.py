"""Read-side queries for people lists: scoped, filtered, paginated, with a constant number of queries."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from trainee import policy
from trainee.core.params import as_id
from trainee.extensions import db
from trainee.org.models import Person, PersonStatus, Position, Unit


@dataclass
class PeopleFilter:
    q: str = ""
    unit_id: int | None = None
    department_id: int | None = None
    position: str | None = None
    status: str | None = None
    legal_qualification: str | None = None  # "1" / "0"
    role: str | None = None

    @classmethod
    def from_args(cls, args) -> "PeopleFilter":
        def as_int(name):
            return as_id(args.get(name))
        return cls(q=(args.get("q") or "").strip()[:50], unit_id=as_int("unit"), department_id=as_int("department"),
                   position=args.get("position") if args.get("position") in Position.__members__ else None,
                   status=args.get("status") if args.get("status") in PersonStatus.__members__ else None,
                   legal_qualification=args.get("lq") if args.get("lq") in ("0", "1") else None,
                   role=args.get("role") or None)


def people_query(user, flt: PeopleFilter):
    query = select(Person).where(policy.person_scope_filter(user))
    if flt.q:
        pattern = f"%{flt.q.replace('%', '').replace('_', '')}%"
        query = query.where(or_(Person.name.like(pattern), Person.staff_no.like(pattern)))
    if flt.unit_id:
        unit = db.session.get(Unit, flt.unit_id)
        if unit is not None:
            query = query.where(Person.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path))))
    if flt.department_id:
        query = query.where(Person.department_id == flt.department_id)
    if flt.position:
        query = query.where(Person.position == Position[flt.position])
    if flt.status:
        query = query.where(Person.status == PersonStatus[flt.status])
    if flt.legal_qualification:
        query = query.where(Person.legal_qualification.is_(flt.legal_qualification == "1"))
    if flt.role:
        from trainee.auth.models import Role, User, UserRole
        if flt.role in Role._value2member_map_:
            holders = select(User.person_id).join(UserRole).where(UserRole.role == Role(flt.role))
            query = query.where(Person.id.in_(holders))
    return query


def paginate_people(user, flt: PeopleFilter, page: int, per_page: int):
    query = people_query(user, flt)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    items = db.session.execute(
        query.options(joinedload(Person.unit), joinedload(Person.department))
        .order_by(Person.unit_id, Person.staff_no).limit(per_page).offset((page - 1) * per_page)
    ).scalars().all()
    return items, page, pages, total


def units_in_scope(user):
    """The units this user manages: their own and every unit beneath it."""
    return db.session.execute(
        select(Unit).where(Unit.path.startswith(user.unit.path)).order_by(Unit.path)).scalars().all()
