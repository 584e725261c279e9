"""Reading the checklist: a person's items, what is due, mentees' overdue items, HR completion figures.

Every list loads its rows with eager loading or one GROUP BY, so a page costs the same number of queries
whatever the number of people or items. "Overdue" means not submitted (待学习 or 已退回) after the due date;
an item waiting for the mentor counts as pending, not overdue.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from trainee import policy
from trainee.checklists.models import (
    OPEN_STATUSES,
    AssignmentStatus,
    ChecklistAssignment,
    ChecklistCategory,
    ChecklistItem,
    ChecklistNote,
)
from trainee.extensions import db
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.org.models import Department, Person, PersonStatus, Position, Unit
from trainee.training.models import Stage

DONE, PENDING, OVERDUE, EXEMPT = "done", "pending", "overdue", "exempt"
STATES = (DONE, PENDING, OVERDUE, EXEMPT)
STATE_LABELS = {DONE: "已确认", PENDING: "未完成", OVERDUE: "已逾期", EXEMPT: "免学"}


def state_of(assignment: ChecklistAssignment, today: date) -> str:
    if assignment.status is AssignmentStatus.CONFIRMED:
        return DONE
    if assignment.status is AssignmentStatus.EXEMPT:
        return EXEMPT
    return OVERDUE if assignment.is_overdue(today) else PENDING


def state_expression(today: date):
    """The same four states as a SQL CASE, for GROUP BY."""
    return case(
        (ChecklistAssignment.status == AssignmentStatus.CONFIRMED, DONE),
        (ChecklistAssignment.status == AssignmentStatus.EXEMPT, EXEMPT),
        (and_(ChecklistAssignment.status.in_(OPEN_STATUSES), ChecklistAssignment.due_date < today), OVERDUE),
        else_=PENDING)


def _shown():
    """Assignments worth showing: of items in use, plus finished ones of retired items (history)."""
    return or_(ChecklistItem.active.is_(True),
               ChecklistAssignment.status.in_((AssignmentStatus.CONFIRMED, AssignmentStatus.EXEMPT)))


def items(include_retired: bool = False) -> list[ChecklistItem]:
    query = select(ChecklistItem).join(Stage, Stage.id == ChecklistItem.stage_id).options(
        joinedload(ChecklistItem.stage))
    if not include_retired:
        query = query.where(ChecklistItem.active.is_(True))
    return db.session.execute(query.order_by(ChecklistItem.active.desc(), Stage.order, ChecklistItem.category,
                                             ChecklistItem.order, ChecklistItem.id)).scalars().all()


def person_assignments(person) -> list[ChecklistAssignment]:
    return db.session.execute(
        select(ChecklistAssignment).join(ChecklistItem, ChecklistItem.id == ChecklistAssignment.item_id)
        .join(Stage, Stage.id == ChecklistItem.stage_id)
        .where(ChecklistAssignment.person_id == person.id, _shown())
        .options(joinedload(ChecklistAssignment.item).joinedload(ChecklistItem.stage),
                 joinedload(ChecklistAssignment.reviewer), joinedload(ChecklistAssignment.attachment))
        .order_by(Stage.order, ChecklistItem.category, ChecklistItem.order, ChecklistItem.id)).scalars().all()


def load_assignment(assignment_id: int) -> ChecklistAssignment | None:
    return db.session.execute(
        select(ChecklistAssignment).where(ChecklistAssignment.id == assignment_id)
        .options(joinedload(ChecklistAssignment.item).joinedload(ChecklistItem.stage),
                 joinedload(ChecklistAssignment.person), joinedload(ChecklistAssignment.reviewer),
                 joinedload(ChecklistAssignment.attachment),
                 selectinload(ChecklistAssignment.notes).joinedload(ChecklistNote.author))).scalar_one_or_none()


@dataclass
class Group:
    stage: Stage
    category: ChecklistCategory
    assignments: list

    @property
    def confirmed(self) -> int:
        return sum(1 for a in self.assignments if a.status is AssignmentStatus.CONFIRMED)

    @property
    def required(self) -> int:
        return sum(1 for a in self.assignments if a.status is not AssignmentStatus.EXEMPT and a.item.active)


def grouped(assignments) -> list[Group]:
    groups: dict = {}
    for a in assignments:
        key = (a.item.stage.order, a.item.category.name)
        groups.setdefault(key, Group(a.item.stage, a.item.category, []))
        groups[key].assignments.append(a)
    return [groups[k] for k in sorted(groups, key=lambda k: (k[0], 0 if k[1] == "POLITICAL" else 1))]


def due_soon(person, today: date, days: int = 30) -> tuple[list, list]:
    """(overdue, due within `days`) open items of the person, earliest first."""
    rows = db.session.execute(
        select(ChecklistAssignment).join(ChecklistItem, ChecklistItem.id == ChecklistAssignment.item_id)
        .where(ChecklistAssignment.person_id == person.id, ChecklistAssignment.status.in_(OPEN_STATUSES),
               ChecklistItem.active.is_(True), ChecklistAssignment.due_date <= today + timedelta(days=days))
        .options(joinedload(ChecklistAssignment.item))
        .order_by(ChecklistAssignment.due_date, ChecklistAssignment.id)).scalars().all()
    return [a for a in rows if a.due_date < today], [a for a in rows if a.due_date >= today]


def mentee_items(mentor_person_id: int, today: date) -> tuple[list, list]:
    """(overdue items of current primary mentees, items waiting for this mentor's confirmation)."""
    mentees = select(MentorAssignment.trainee_id).where(
        MentorAssignment.mentor_id == mentor_person_id, MentorAssignment.kind == AssignmentKind.PRIMARY,
        MentorAssignment.end_date.is_(None))
    rows = db.session.execute(
        select(ChecklistAssignment).join(ChecklistItem, ChecklistItem.id == ChecklistAssignment.item_id)
        .join(Person, Person.id == ChecklistAssignment.person_id)
        .where(ChecklistAssignment.person_id.in_(mentees), ChecklistItem.active.is_(True),
               Person.status == PersonStatus.ACTIVE,
               or_(ChecklistAssignment.status == AssignmentStatus.SUBMITTED,
                   and_(ChecklistAssignment.status.in_(OPEN_STATUSES), ChecklistAssignment.due_date < today)))
        .options(joinedload(ChecklistAssignment.item), joinedload(ChecklistAssignment.person))
        .order_by(ChecklistAssignment.due_date, ChecklistAssignment.id)).scalars().all()
    return ([a for a in rows if a.status is not AssignmentStatus.SUBMITTED],
            [a for a in rows if a.status is AssignmentStatus.SUBMITTED])


# --- HR completion ----------------------------------------------------------------------------------

@dataclass
class CompletionFilter:
    unit_id: int | None = None
    department_id: int | None = None
    item_id: int | None = None
    state: str | None = None

    @classmethod
    def from_args(cls, args) -> "CompletionFilter":
        def number(name):
            raw = args.get(name, "")
            return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        state = args.get("state")
        return cls(number("unit"), number("department"), number("item"), state if state in STATES else None)

    def args(self, **changes) -> dict:
        values = {"unit": self.unit_id, "department": self.department_id, "item": self.item_id, "state": self.state}
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


def _completion_people(user, flt: CompletionFilter) -> list:
    """The people half of the filter: active trainees in the user's scope, in the unit or department chosen."""
    conditions = [policy.person_scope_filter(user), Person.position == Position.ASSISTANT,
                  Person.status == PersonStatus.ACTIVE]
    if flt.unit_id:
        unit_path = select(Unit.path).where(Unit.id == flt.unit_id).scalar_subquery()
        conditions.append(Person.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit_path, autoescape=False))))
    if flt.department_id:
        conditions.append(Person.department_id == flt.department_id)
    return conditions


def _completion_items(flt: CompletionFilter, today: date) -> list:
    """The assignment half: items in use, the item and the state chosen."""
    conditions = [ChecklistItem.active.is_(True)]
    if flt.item_id:
        conditions.append(ChecklistAssignment.item_id == flt.item_id)
    if flt.state:
        conditions.append(state_expression(today) == flt.state)
    return conditions


def _completion_base(user, flt: CompletionFilter, today: date):
    """Assignments of items in use, of active trainees in the user's scope, narrowed by the filter."""
    return _completion_people(user, flt) + _completion_items(flt, today)


def _joined(query):
    return (query.select_from(ChecklistAssignment)
            .join(ChecklistItem, ChecklistItem.id == ChecklistAssignment.item_id)
            .join(Person, Person.id == ChecklistAssignment.person_id))


def completion(user, flt: CompletionFilter, today: date, scope_units=None) -> dict:
    """Counts by state, grouped by unit, by department and by item, summed from each unit's counts.

    Only HR and administrators see this page (policy "checklist.completion"), and their scope is whole units, so
    a unit's counts are the same for everyone who sees that unit: they are kept per unit (web/kept.py
    `kept_per_unit`) while nothing in the unit changes, and after a write only that unit's are counted again.
    `scope_units`: the user's units in organisation order (`units_in_scope`), when the caller has them already."""
    from trainee.org.queries import units_in_scope
    from trainee.web.kept import kept_per_unit

    policy.require(user, "checklist.completion")
    scope_units = units_in_scope(user) if scope_units is None else scope_units
    chosen = next((u for u in scope_units if u.id == flt.unit_id), None) if flt.unit_id else None
    units = [u for u in scope_units if chosen is None or u.path.startswith(chosen.path)]
    per_unit = kept_per_unit(("checklists.completion.unit", today, flt.department_id, flt.item_id, flt.state),
                             [u.id for u in units], lambda ids: _unit_counts(ids, flt, today))
    rows = [(unit_id, *row) for unit_id, unit_rows in per_unit.items() for row in unit_rows]
    by_unit: dict = {}
    by_department: dict = {}
    by_item: dict = {}
    totals = dict.fromkeys(STATES, 0)
    for unit_id, department_id, item_id, st, n in rows:
        for table, key in ((by_unit, unit_id), (by_department, department_id), (by_item, item_id)):
            table.setdefault(key, dict.fromkeys(STATES, 0))[st] += n
        totals[st] += n
    units = [u for u in units if u.id in by_unit]  # in organisation order already
    rank = {u.id: i for i, u in enumerate(units)}
    departments = {d.id: d for d in db.session.execute(
        select(Department).where(Department.id.in_([k for k in by_department if k] or [0]))
        .options(joinedload(Department.unit))).scalars()}
    item_list = items()
    return {
        "totals": totals,
        "units": [(u, by_unit[u.id]) for u in units],
        "departments": sorted([(departments.get(k), v) for k, v in by_department.items()],
                              key=lambda p: (rank.get(p[0].unit_id, len(rank)), p[0].id) if p[0] else (len(rank) + 1, 0)),
        "by_item": [(i, by_item[i.id]) for i in item_list if i.id in by_item],
    }


def _unit_counts(unit_ids, flt: CompletionFilter, today: date) -> dict:
    """{unit id: [(department id, item id, state, count), ...]} for the units' active trainees: one GROUP BY."""
    state = state_expression(today).label("state")
    conditions = [Person.unit_id.in_(unit_ids), Person.position == Position.ASSISTANT,
                  Person.status == PersonStatus.ACTIVE, *_completion_items(flt, today)]
    if flt.department_id:
        conditions.append(Person.department_id == flt.department_id)
    counts = {unit_id: [] for unit_id in unit_ids}
    for unit_id, department_id, item_id, st, n in db.session.execute(
            _joined(select(Person.unit_id, Person.department_id, ChecklistAssignment.item_id, state,
                           func.count(ChecklistAssignment.id)))
            .where(*conditions)
            .group_by(Person.unit_id, Person.department_id, ChecklistAssignment.item_id, state)):
        counts[unit_id].append((department_id, item_id, st, n))
    return counts


def completion_table(user, flt: CompletionFilter, today: date, limit: int):
    """The same rows as `completion_rows`, as plain tuples for the export (no ORM objects: fast at city scale)."""
    from sqlalchemy.orm import aliased

    reviewer = aliased(Person)
    query = (select(Person.staff_no, Person.name, Unit.name, Department.name, Stage.name, ChecklistItem.category,
                    ChecklistItem.title, ChecklistAssignment.due_date, ChecklistAssignment.status,
                    ChecklistAssignment.confirmed_on, reviewer.name, ChecklistAssignment.exempt_reason)
             .select_from(ChecklistAssignment)
             .join(ChecklistItem, ChecklistItem.id == ChecklistAssignment.item_id)
             .join(Person, Person.id == ChecklistAssignment.person_id)
             .join(Unit, Unit.id == Person.unit_id)
             .join(Stage, Stage.id == ChecklistItem.stage_id)
             .outerjoin(Department, Department.id == Person.department_id)
             .outerjoin(reviewer, reviewer.id == ChecklistAssignment.reviewer_id)
             .where(*_completion_base(user, flt, today))
             .order_by(Unit.path, Person.department_id, Person.name, Person.id, Stage.order, ChecklistItem.category,
                       ChecklistItem.order, ChecklistItem.id)
             .limit(limit))
    return db.session.execute(query).all()


FIRST_PEOPLE = 200  # people counted before counting everyone: early pages need only the first few


def completion_rows(user, flt: CompletionFilter, today: date, *, limit: int | None = None, offset: int = 0):
    """One row per assignment (who, which item, state), ordered by unit, department, name, item.

    With `limit`, the page is found person by person: sorting every assignment of a city (hundreds of
    thousands of joined rows) to keep fifty took seconds. People are few and sort fast; their matching
    rows are counted (the first FIRST_PEOPLE, then, only for a later page, the rest), and only the rows of
    the people on the page are loaded. At most five queries whatever the page."""
    if limit is None:
        return db.session.execute(_rows_query(user, flt, today)).scalars().all()
    people = db.session.execute(select(Person.id).join(Unit, Unit.id == Person.unit_id)
                                .where(*_completion_people(user, flt))
                                .order_by(Unit.path, Person.department_id, Person.name, Person.id)).scalars().all()
    counts = _matching_counts(people[:FIRST_PEOPLE], flt, today)
    if sum(counts.values()) < offset + limit and len(people) > FIRST_PEOPLE:
        everyone = select(Person.id).where(*_completion_people(user, flt))  # a subquery, not 10,000 parameters
        counts = _matching_counts(everyone, flt, today)
    on_page, before, seen = [], None, 0
    for person_id in people:
        n = counts.get(person_id, 0)
        if n and seen + n > offset and seen < offset + limit:
            on_page.append(person_id)
            before = seen if before is None else before
        seen += n
        if seen >= offset + limit:
            break
    if not on_page:
        return []
    rows = db.session.execute(_rows_query(user, flt, today).where(
        ChecklistAssignment.person_id.in_(on_page))).scalars().all()
    return rows[offset - before:offset - before + limit]


def _matching_counts(person_ids, flt: CompletionFilter, today: date) -> dict:
    """{person id: assignments matching the filter} for a list of ids or a subquery of them."""
    return dict(db.session.execute(
        select(ChecklistAssignment.person_id, func.count(ChecklistAssignment.id))
        .join(ChecklistItem, ChecklistItem.id == ChecklistAssignment.item_id)
        .where(ChecklistAssignment.person_id.in_(person_ids), *_completion_items(flt, today))
        .group_by(ChecklistAssignment.person_id)).all())


def _rows_query(user, flt: CompletionFilter, today: date):
    return (select(ChecklistAssignment)
            .join(ChecklistItem, ChecklistItem.id == ChecklistAssignment.item_id)
            .join(Person, Person.id == ChecklistAssignment.person_id)
            .join(Unit, Unit.id == Person.unit_id)
            .join(Stage, Stage.id == ChecklistItem.stage_id)
            .where(*_completion_base(user, flt, today))
            .options(joinedload(ChecklistAssignment.person).joinedload(Person.unit),
                     joinedload(ChecklistAssignment.person).joinedload(Person.department),
                     joinedload(ChecklistAssignment.item).joinedload(ChecklistItem.stage),
                     joinedload(ChecklistAssignment.reviewer))
            .order_by(Unit.path, Person.department_id, Person.name, Person.id, Stage.order, ChecklistItem.category,
                      ChecklistItem.order, ChecklistItem.id))


def overdue_by_unit(unit_ids, today: date) -> dict:
    """{unit id: overdue items of its active trainees} for the given units (the HR overview's figure)."""
    return dict(db.session.execute(_joined(select(Person.unit_id, func.count())).where(
        Person.unit_id.in_(unit_ids), Person.position == Position.ASSISTANT, Person.status == PersonStatus.ACTIVE,
        ChecklistItem.active.is_(True), ChecklistAssignment.status.in_(OPEN_STATUSES),
        ChecklistAssignment.due_date < today).group_by(Person.unit_id)).all())


# --- quarterly facts (季度节点分析) -------------------------------------------------------------------

def quarter_facts(person_ids, year: int, quarter: int) -> dict:
    """{person id: {"due": items due in the quarter, "overdue": items overdue at its end (or today)}}."""
    from trainee.core.time import local_today
    from trainee.evaluation.quarterly import quarter_bounds

    start, end = quarter_bounds(year, quarter)
    reference = min(end - timedelta(days=1), local_today())
    after = datetime.combine(reference + timedelta(days=1), datetime.min.time())
    ids = list(person_ids)
    result: dict = {}
    for first in range(0, len(ids), 900):
        chunk = ids[first:first + 900]
        due = case((and_(ChecklistAssignment.due_date >= start, ChecklistAssignment.due_date < end), 1), else_=0)
        # Overdue at the reference day: not submitted by then (a later submission or confirmation does not
        # change what the quarter looked like).
        submitted_late = and_(ChecklistAssignment.status.in_((AssignmentStatus.SUBMITTED, AssignmentStatus.CONFIRMED)),
                              ChecklistAssignment.submitted_at >= after)
        late = case((and_(ChecklistAssignment.due_date < reference,
                          or_(ChecklistAssignment.status.in_(OPEN_STATUSES), submitted_late)), 1), else_=0)
        for pid, n_due, n_late in db.session.execute(
                select(ChecklistAssignment.person_id, func.sum(due), func.sum(late))
                .join(ChecklistItem, ChecklistItem.id == ChecklistAssignment.item_id)
                .where(ChecklistAssignment.person_id.in_(chunk), ChecklistItem.active.is_(True),
                       ChecklistAssignment.status != AssignmentStatus.EXEMPT)
                .group_by(ChecklistAssignment.person_id)):
            result[pid] = {"due": int(n_due or 0), "overdue": int(n_late or 0)}
    return result
