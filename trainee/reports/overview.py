"""The HR overview: distributions and rates for the user's scope, each computed by one GROUP BY query.

Units are always listed in organisation order (never ranked by a figure): see "No public league
tables" in the domain brief. The number of queries does not grow with the data.

Every figure is a function of the scope, the data and today's date (nothing finer: "waiting over 7 days"
counts calendar days), so a computed overview can be kept while the shared change counter and the counters
of the scope's units stay where they were (web/kept.py `kept_for_units`).
"""
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import and_, case, func, select

from trainee import policy
from trainee.activities.models import Activity, ActivityStatus
from trainee.core.time import LOCAL_TZ, local_today, quarter_of
from trainee.extensions import db
from trainee.mentoring.models import DEFAULT_CAPACITY, AssignmentKind, MentorAssignment
from trainee.org.models import Person, PersonStatus, Position, Unit
from trainee.org.queries import units_in_scope
from trainee.training.models import (
    PromotionRequest,
    PromotionStatus,
    Stage,
    StageRecord,
    TransitionState,
    TransitionStatus,
)

WAITING_DAYS = 7
QUARTERS_SHOWN = 8
# Mentors grouped by how many entries wait on them (a distribution: a city has thousands of mentors).
WAITING_BUCKETS = ((1, 1), (2, 3), (4, 7), (8, None))


def scope_path(user, unit: Unit | None = None) -> str:
    """The path of the units shown: the user's scope, narrowed to `unit` and its children when given and visible."""
    return unit.path if unit is not None and policy.in_unit_scope(user, unit) else user.unit.path


def scope_units(user, unit: Unit | None = None) -> list[Unit]:
    return units_in_scope(user, scope_path(user, unit))


def waiting_cutoff(today):
    """Entries submitted before this UTC instant have waited more than WAITING_DAYS calendar days: the first
    day of waiting is the day of submission (Asia/Shanghai), so an entry counts from the eighth day on. By
    date, not by hour: the figure stays the same all day, and a kept overview stays right."""
    start = datetime.combine(today - timedelta(days=WAITING_DAYS), time.min, tzinfo=LOCAL_TZ)
    return start.astimezone(UTC).replace(tzinfo=None)


def _trainees(unit_ids):
    """Conditions for active trainees in the given units."""
    return and_(Person.unit_id.in_(unit_ids), Person.position == Position.ASSISTANT,
                Person.status == PersonStatus.ACTIVE)


def approved_since(day):
    """EXISTS an approved entry of the outer query's person dated `day` or later: one probe of the
    (person, status, date) index per person, where NOT IN would read every approved entry of the quarter."""
    return (select(Activity.id).where(Activity.person_id == Person.id, Activity.status == ActivityStatus.APPROVED,
                                      Activity.date >= day).exists())


def quarter_start(day):
    return day.replace(month=(quarter_of(day) - 1) * 3 + 1, day=1)


def overview(user, unit: Unit | None = None, today=None) -> dict:
    units = scope_units(user, unit)
    unit_ids = [u.id for u in units]
    today = today or local_today()
    trainee = _trainees(unit_ids)

    # People by unit and position (everyone in scope, active).
    rows = db.session.execute(
        select(Person.unit_id, Person.position, func.count(Person.id))
        .where(Person.unit_id.in_(unit_ids), Person.status == PersonStatus.ACTIVE)
        .group_by(Person.unit_id, Person.position)).all()
    by_unit_position = {(u, p): n for u, p, n in rows}
    positions = {p: sum(n for (_u, q), n in by_unit_position.items() if q is p) for p in Position}

    # Legal qualification among active trainees, per unit.
    lq_rows = db.session.execute(
        select(Person.unit_id, func.count(Person.id),
               func.sum(case((Person.legal_qualification.is_(True), 1), else_=0)))
        .where(trainee).group_by(Person.unit_id)).all()
    lq = {u: (total, int(with_lq or 0)) for u, total, with_lq in lq_rows}

    # Trainees by current stage and unit.
    stages = db.session.execute(select(Stage).order_by(Stage.order)).scalars().all()
    code_of = {s.id: s.code for s in stages}
    # Grouped by stage id, not joined to stages: SQLite would loop over the three stages outermost (4× slower).
    stage_rows = db.session.execute(
        select(Person.unit_id, StageRecord.stage_id, func.count(Person.id))
        .join(StageRecord, and_(StageRecord.person_id == Person.id, StageRecord.end_date.is_(None)))
        .where(trainee).group_by(Person.unit_id, StageRecord.stage_id)).all()
    by_stage_unit = {(u, code_of[s]): n for u, s, n in stage_rows}

    # Mentors' load against capacity: a distribution of load ÷ capacity.
    load = (select(MentorAssignment.mentor_id, func.count(MentorAssignment.id).label("n"))
            .where(MentorAssignment.kind == AssignmentKind.PRIMARY, MentorAssignment.end_date.is_(None))
            .group_by(MentorAssignment.mentor_id).subquery())
    from trainee.auth.models import Role, User, UserRole
    mentor_role = select(User.person_id).join(UserRole).where(UserRole.role == Role.MENTOR)
    mentor_rows = db.session.execute(
        select(func.coalesce(load.c.n, 0), func.coalesce(Person.mentor_capacity, DEFAULT_CAPACITY))
        .outerjoin(load, load.c.mentor_id == Person.id)
        .where(Person.unit_id.in_(unit_ids), Person.status == PersonStatus.ACTIVE,
               (Person.id.in_(mentor_role)) | (load.c.n > 0))).all()
    mentor_load = {"none": 0, "room": 0, "full": 0, "over": 0}
    for n, capacity in mentor_rows:
        key = "none" if n == 0 else "room" if n < capacity else "full" if n == capacity else "over"
        mentor_load[key] += 1
    total_load = sum(n for n, _c in mentor_rows)
    total_capacity = sum(c for _n, c in mentor_rows)

    # Transitions achieved per quarter (the last eight quarters).
    first = quarter_start(today)
    for _ in range(QUARTERS_SHOWN - 1):
        first = quarter_start(first - timedelta(days=1))
    # By day, put into quarters here: a range of the (status, day, person) index, no date function per row.
    achieved_rows = db.session.execute(
        select(TransitionState.decided_on, func.count())
        .join(Person, Person.id == TransitionState.person_id)
        .where(Person.unit_id.in_(unit_ids), TransitionState.status == TransitionStatus.ACHIEVED,
               TransitionState.decided_on >= first)
        .group_by(TransitionState.decided_on)).all()
    quarters = []
    cursor = first
    while cursor <= today:
        quarters.append((cursor.year, quarter_of(cursor)))
        cursor = quarter_start(cursor.replace(day=28) + timedelta(days=100))
    achieved = {q: 0 for q in quarters}
    for day, n in achieved_rows:
        key = (day.year, quarter_of(day))
        if key in achieved:
            achieved[key] += n

    # Promotions waiting for HR.
    promotions_pending = db.session.execute(
        select(func.count(PromotionRequest.id)).join(Person, Person.id == PromotionRequest.person_id)
        .where(Person.unit_id.in_(unit_ids), PromotionRequest.status == PromotionStatus.RECOMMENDED)).scalar_one()

    # Entries waiting for review more than 7 days, by reviewing mentor (the same query as the list behind it),
    # listed by name.
    waiting = sorted(({"mentor_id": i, "mentor": name, "count": n}
                      for i, name, _unit, n, _oldest in db.session.execute(waiting_by_mentor(user, unit, today=today)).all()),
                     key=lambda w: (w["mentor"], w["mentor_id"]))

    # Active trainees with no approved entry dated this quarter.
    q_start = quarter_start(today)
    idle_rows = db.session.execute(
        select(Person.unit_id, func.count(Person.id)).where(trainee, ~approved_since(q_start))
        .group_by(Person.unit_id)).all()
    idle = dict(idle_rows)

    # Checklist items past their due date and not submitted (双学清单逾期).
    from trainee.checklists.queries import overdue_count

    checklist_overdue = overdue_count(user, unit_ids, today)

    trainees_by_unit = {u.id: by_unit_position.get((u.id, Position.ASSISTANT), 0) for u in units}
    total_trainees = sum(trainees_by_unit.values())
    lq_total = sum(t for t, _w in lq.values())
    lq_with = sum(w for _t, w in lq.values())
    return {
        "as_of": today,
        "units": units,
        "stages": stages,
        "people_by_unit": [{"unit": u, "trainees": trainees_by_unit[u.id],
                            "all": sum(by_unit_position.get((u.id, p), 0) for p in Position)} for u in units],
        "people_by_position": [{"position": p, "count": positions[p]} for p in Position],
        "legal_qualification": {
            "total": lq_total, "with": lq_with, "rate": (lq_with / lq_total) if lq_total else None,
            "by_unit": [{"unit": u, "total": lq.get(u.id, (0, 0))[0], "with": lq.get(u.id, (0, 0))[1],
                         "rate": (lq[u.id][1] / lq[u.id][0]) if lq.get(u.id, (0, 0))[0] else None} for u in units]},
        "stage_by_unit": [{"unit": u, "counts": {s.code: by_stage_unit.get((u.id, s.code), 0) for s in stages}}
                          for u in units],
        "stage_totals": {s.code: sum(by_stage_unit.get((u.id, s.code), 0) for u in units) for s in stages},
        "mentor_load": {**mentor_load, "mentors": len(mentor_rows), "load": total_load, "capacity": total_capacity},
        "achieved_by_quarter": [{"year": y, "quarter": q, "count": achieved[(y, q)]} for y, q in quarters],
        "promotions_pending": promotions_pending,
        "checklist_overdue": checklist_overdue,
        "waiting_reviews": waiting,
        "waiting_distribution": waiting_distribution(waiting),
        "idle_this_quarter": {"total": sum(idle.values()), "trainees": total_trainees,
                              "by_unit": [{"unit": u, "count": idle.get(u.id, 0),
                                           "trainees": trainees_by_unit[u.id]} for u in units]},
    }


def waiting_distribution(waiting: list[dict]) -> list[dict]:
    """[{low, high, mentors, entries}] for WAITING_BUCKETS (high None: open-ended)."""
    buckets = []
    for low, high in WAITING_BUCKETS:
        counts = [w["count"] for w in waiting if w["count"] >= low and (high is None or w["count"] <= high)]
        buckets.append({"low": low, "high": high, "mentors": len(counts), "entries": sum(counts)})
    return buckets


def waiting_by_mentor(user, unit: Unit | None, low: int = 1, high: int | None = None, today=None):
    """Select (mentor id, name, unit short name, entries, oldest submission) of mentors with entries of
    trainees in scope waiting over WAITING_DAYS (`waiting_cutoff`), `low`..`high` entries each, by unit and name."""
    unit_ids = select(Unit.id).where(Unit.path.startswith(scope_path(user, unit)))
    reviewer, reviewer_unit = db.aliased(Person), db.aliased(Unit)
    count = func.count()  # not count(id): PostgreSQL then reads the (status, submitted, reviewer, person) index alone
    query = (select(reviewer.id, reviewer.name, reviewer_unit.short_name, count, func.min(Activity.submitted_at))
             .join(Person, Person.id == Activity.person_id).join(reviewer, reviewer.id == Activity.reviewer_id)
             .join(reviewer_unit, reviewer_unit.id == reviewer.unit_id)
             .where(Person.unit_id.in_(unit_ids), Activity.status == ActivityStatus.SUBMITTED,
                    Activity.submitted_at < waiting_cutoff(today or local_today()))
             .group_by(reviewer.id, reviewer.name, reviewer_unit.short_name, reviewer_unit.path)
             .having(count >= low).order_by(reviewer_unit.path, reviewer.name, reviewer.id))
    return query.having(count <= high) if high is not None else query


def waiting_page(user, unit: Unit | None, low: int, high: int | None, page: int, per_page: int, today=None):
    """(rows, page, pages, total) of `waiting_by_mentor`, the page clamped to those that exist."""
    query = waiting_by_mentor(user, unit, low, high, today)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return rows, page, pages, total


def as_json(data: dict) -> dict:
    """The overview as plain JSON (the API)."""
    def unit(u):
        return {"code": u.code, "name": u.name}
    return {
        "as_of": data["as_of"].isoformat(),
        "units": [unit(u) for u in data["units"]],
        "people_by_unit": [{"unit": unit(r["unit"]), "trainees": r["trainees"], "all": r["all"]}
                           for r in data["people_by_unit"]],
        "people_by_position": [{"position": r["position"].name, "count": r["count"]}
                               for r in data["people_by_position"]],
        "legal_qualification": {
            "total": data["legal_qualification"]["total"], "with": data["legal_qualification"]["with"],
            "rate": data["legal_qualification"]["rate"],
            "by_unit": [{"unit": unit(r["unit"]), "total": r["total"], "with": r["with"], "rate": r["rate"]}
                        for r in data["legal_qualification"]["by_unit"]]},
        "trainees_by_stage_and_unit": [{"unit": unit(r["unit"]), "counts": r["counts"]}
                                       for r in data["stage_by_unit"]],
        "mentor_load": data["mentor_load"],
        "transitions_achieved_by_quarter": data["achieved_by_quarter"],
        "promotions_pending": data["promotions_pending"],
        "checklist_items_overdue": data["checklist_overdue"],
        "entries_waiting_over_7_days_by_mentor": data["waiting_reviews"],
        "mentors_by_entries_waiting_over_7_days": data["waiting_distribution"],
        "no_approved_activity_this_quarter": {
            "total": data["idle_this_quarter"]["total"], "trainees": data["idle_this_quarter"]["trainees"],
            "by_unit": [{"unit": unit(r["unit"]), "count": r["count"], "trainees": r["trainees"]}
                        for r in data["idle_this_quarter"]["by_unit"]]},
    }

