"""The HR overview: distributions and rates for the user's scope, put together from figures per unit, each
kind computed for all the units it needs by one GROUP BY query.

Units are always listed in organisation order (never ranked by a figure): see "No public league
tables" in the domain brief. The number of queries does not grow with the data.

Every figure is a function of the units' data and today's date (nothing finer: "waiting over 7 days" counts
calendar days). So each unit's figures are kept while the shared change counter and that unit's counter stay
where they were (after a write in one unit only its figures are computed again), and the rendered overview is
kept while the shared counter and the counters of every unit in the scope hold (web/kept.py).
"""
from datetime import UTC, date, datetime, time, timedelta

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
MENTOR_KEYS = ("none", "room", "full", "over", "mentors", "load", "capacity")


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


def quarters_shown(today) -> list[date]:
    """The first days of the last QUARTERS_SHOWN quarters, oldest first, and of the next one (the end)."""
    starts = [quarter_start(today)]
    for _ in range(QUARTERS_SHOWN - 1):
        starts.insert(0, quarter_start(starts[0] - timedelta(days=1)))
    return [*starts, quarter_start(starts[-1] + timedelta(days=100))]


def unit_figures(unit_ids, today) -> dict:
    """{unit id: that unit's figures} (plain data), each kept while nothing in the unit (and nothing shared) has
    changed: after a write in one unit only its figures are computed again (web/kept.py `kept_per_unit`)."""
    from trainee.web.kept import kept_per_unit

    return kept_per_unit(("reports.overview.unit", today), unit_ids, lambda ids: compute_unit_figures(ids, today))


def compute_unit_figures(unit_ids, today) -> dict:
    """The overview's figures per unit, for people whose unit is in `unit_ids`: one GROUP BY query each."""
    figures = {u: {"positions": {}, "lq": (0, 0), "stages": {}, "mentors": dict.fromkeys(MENTOR_KEYS, 0),
                   "achieved": {}, "promotions": 0, "waiting": {}, "idle": 0, "overdue": 0} for u in unit_ids}
    trainee = _trainees(unit_ids)

    # People by unit and position (everyone active).
    for u, position, n in db.session.execute(
            select(Person.unit_id, Person.position, func.count(Person.id))
            .where(Person.unit_id.in_(unit_ids), Person.status == PersonStatus.ACTIVE)
            .group_by(Person.unit_id, Person.position)):
        figures[u]["positions"][position.name] = n

    # Legal qualification among active trainees.
    for u, total, with_lq in db.session.execute(
            select(Person.unit_id, func.count(Person.id), func.sum(case((Person.legal_qualification.is_(True), 1), else_=0)))
            .where(trainee).group_by(Person.unit_id)):
        figures[u]["lq"] = (total, int(with_lq or 0))

    # Trainees by current stage. Grouped by stage id, not joined to stages: SQLite would loop over the three
    # stages outermost (4× slower).
    for u, stage_id, n in db.session.execute(
            select(Person.unit_id, StageRecord.stage_id, func.count(Person.id))
            .join(StageRecord, and_(StageRecord.person_id == Person.id, StageRecord.end_date.is_(None)))
            .where(trainee).group_by(Person.unit_id, StageRecord.stage_id)):
        figures[u]["stages"][stage_id] = n

    # Mentors of the unit: load against capacity (a distribution of load ÷ capacity).
    in_units = select(Person.id).where(Person.unit_id.in_(unit_ids))  # the load of these mentors only
    load = (select(MentorAssignment.mentor_id, func.count(MentorAssignment.id).label("n"))
            .where(MentorAssignment.kind == AssignmentKind.PRIMARY, MentorAssignment.end_date.is_(None),
                   MentorAssignment.mentor_id.in_(in_units))
            .group_by(MentorAssignment.mentor_id).subquery())
    from trainee.auth.models import Role, User, UserRole
    # A probe per person of the units, not the set of every mentor of the city.
    mentor_role = (select(User.id).join(UserRole)
                   .where(User.person_id == Person.id, UserRole.role == Role.MENTOR).exists())
    for u, n, capacity in db.session.execute(
            select(Person.unit_id, func.coalesce(load.c.n, 0), func.coalesce(Person.mentor_capacity, DEFAULT_CAPACITY))
            .outerjoin(load, load.c.mentor_id == Person.id)
            .where(Person.unit_id.in_(unit_ids), Person.status == PersonStatus.ACTIVE,
                   mentor_role | (load.c.n > 0))):
        mentors = figures[u]["mentors"]
        mentors["none" if n == 0 else "room" if n < capacity else "full" if n == capacity else "over"] += 1
        mentors["mentors"] += 1
        mentors["load"] += n
        mentors["capacity"] += capacity

    # Transitions achieved per quarter shown: the quarter's number picked by comparing dates (a range of the
    # (status, day, person) index, no date function per row).
    starts = quarters_shown(today)
    quarter = case(*[(TransitionState.decided_on >= day, i) for i, day in reversed(list(enumerate(starts[:-1])))])
    achieved = (select(Person.unit_id.label("unit_id"), quarter.label("quarter")).select_from(TransitionState)
                .join(Person, Person.id == TransitionState.person_id)
                .where(Person.unit_id.in_(unit_ids), TransitionState.status == TransitionStatus.ACHIEVED,
                       TransitionState.decided_on >= starts[0], TransitionState.decided_on < starts[-1]).subquery())
    for u, i, n in db.session.execute(select(achieved.c.unit_id, achieved.c.quarter, func.count())
                                      .group_by(achieved.c.unit_id, achieved.c.quarter)):
        figures[u]["achieved"][i] = n

    # Promotions waiting for HR.
    for u, n in db.session.execute(
            select(Person.unit_id, func.count()).select_from(PromotionRequest)
            .join(Person, Person.id == PromotionRequest.person_id)
            .where(Person.unit_id.in_(unit_ids), PromotionRequest.status == PromotionStatus.RECOMMENDED)
            .group_by(Person.unit_id)):
        figures[u]["promotions"] = n

    # Entries of the unit's trainees waiting for review more than 7 days, by reviewing mentor (with the name:
    # a renamed person moves the shared counter).
    reviewer = db.aliased(Person)
    for u, reviewer_id, name, n in db.session.execute(
            select(Person.unit_id, reviewer.id, reviewer.name, func.count()).select_from(Activity)
            .join(Person, Person.id == Activity.person_id).join(reviewer, reviewer.id == Activity.reviewer_id)
            .where(Person.unit_id.in_(unit_ids), Activity.status == ActivityStatus.SUBMITTED,
                   Activity.submitted_at < waiting_cutoff(today))
            .group_by(Person.unit_id, reviewer.id, reviewer.name)):
        figures[u]["waiting"][reviewer_id] = (name, n)

    # Active trainees with no approved entry dated this quarter.
    for u, n in db.session.execute(
            select(Person.unit_id, func.count(Person.id)).where(trainee, ~approved_since(quarter_start(today)))
            .group_by(Person.unit_id)):
        figures[u]["idle"] = n

    # Checklist items past their due date and not submitted (双学清单逾期).
    from trainee.checklists.queries import overdue_by_unit

    for u, n in overdue_by_unit(unit_ids, today).items():
        figures[u]["overdue"] = n
    return figures


def overview(user, unit: Unit | None = None, today=None) -> dict:
    """The overview of the user's scope (narrowed to `unit`): the units' figures (kept per unit) put together."""
    units = scope_units(user, unit)
    today = today or local_today()
    figures = unit_figures([u.id for u in units], today)
    per_unit = [(u, figures[u.id]) for u in units]
    stages = db.session.execute(select(Stage).order_by(Stage.order)).scalars().all()

    positions = {p: sum(f["positions"].get(p.name, 0) for _u, f in per_unit) for p in Position}
    lq_total = sum(f["lq"][0] for _u, f in per_unit)
    lq_with = sum(f["lq"][1] for _u, f in per_unit)
    mentor_load = {k: sum(f["mentors"][k] for _u, f in per_unit) for k in MENTOR_KEYS}
    starts = quarters_shown(today)
    achieved = [{"year": day.year, "quarter": quarter_of(day), "count": sum(f["achieved"].get(i, 0) for _u, f in per_unit)}
                for i, day in enumerate(starts[:-1])]
    waiting = waiting_reviews(f["waiting"] for _u, f in per_unit)
    idle_total = sum(f["idle"] for _u, f in per_unit)
    return {
        "as_of": today,
        "units": units,
        "stages": stages,
        "people_by_unit": [{"unit": u, "trainees": f["positions"].get(Position.ASSISTANT.name, 0),
                            "all": sum(f["positions"].values())} for u, f in per_unit],
        "people_by_position": [{"position": p, "count": positions[p]} for p in Position],
        "legal_qualification": {
            "total": lq_total, "with": lq_with, "rate": (lq_with / lq_total) if lq_total else None,
            "by_unit": [{"unit": u, "total": f["lq"][0], "with": f["lq"][1],
                         "rate": (f["lq"][1] / f["lq"][0]) if f["lq"][0] else None} for u, f in per_unit]},
        "stage_by_unit": [{"unit": u, "counts": {s.code: f["stages"].get(s.id, 0) for s in stages}} for u, f in per_unit],
        "stage_totals": {s.code: sum(f["stages"].get(s.id, 0) for _u, f in per_unit) for s in stages},
        "mentor_load": mentor_load,
        "achieved_by_quarter": achieved,
        "promotions_pending": sum(f["promotions"] for _u, f in per_unit),
        "checklist_overdue": sum(f["overdue"] for _u, f in per_unit),
        "waiting_reviews": waiting,
        "waiting_distribution": waiting_distribution(waiting),
        "idle_this_quarter": {"total": idle_total, "trainees": positions[Position.ASSISTANT],
                              "by_unit": [{"unit": u, "count": f["idle"],
                                           "trainees": f["positions"].get(Position.ASSISTANT.name, 0)}
                                          for u, f in per_unit]},
    }


def waiting_reviews(per_unit) -> list[dict]:
    """[{mentor_id, mentor, count}] summed over the units' {reviewer id: (name, entries waiting)}, listed by name."""
    merged: dict = {}
    for waiting in per_unit:
        for reviewer_id, (name, n) in waiting.items():
            merged[reviewer_id] = (name, merged.get(reviewer_id, (name, 0))[1] + n)
    return sorted(({"mentor_id": i, "mentor": name, "count": n} for i, (name, n) in merged.items()),
                  key=lambda w: (w["mentor"], w["mentor_id"]))


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
    # Units in organisation order (paths compared as text put /1/10/ before /1/2/); a reviewer from a unit outside
    # the scope comes after those inside it.
    in_order = scope_units(user, unit)
    unit_rank = case({u.id: rank for rank, u in enumerate(in_order)}, value=reviewer_unit.id, else_=len(in_order))
    count = func.count()  # not count(id): PostgreSQL then reads the (status, submitted, reviewer, person) index alone
    query = (select(reviewer.id, reviewer.name, reviewer_unit.short_name, count, func.min(Activity.submitted_at))
             .join(Person, Person.id == Activity.person_id).join(reviewer, reviewer.id == Activity.reviewer_id)
             .join(reviewer_unit, reviewer_unit.id == reviewer.unit_id)
             .where(Person.unit_id.in_(unit_ids), Activity.status == ActivityStatus.SUBMITTED,
                    Activity.submitted_at < waiting_cutoff(today or local_today()))
             .group_by(reviewer.id, reviewer.name, reviewer_unit.id, reviewer_unit.short_name, reviewer_unit.path)
             .having(count >= low).order_by(unit_rank, reviewer_unit.path, reviewer.name, reviewer.id))
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

