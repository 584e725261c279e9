"""Read side of points: cohorts and their distribution (median and quartiles, never names or ranks)."""
import statistics
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from trainee.core.dimensions import Dimension
from trainee.extensions import db
from trainee.org.models import Person, PersonStatus, Position
from trainee.points import ledger
from trainee.points.models import PointsEntry, SourceType

MIN_COHORT = 3  # below this a distribution would reveal a colleague's figure: not shown


def current_stage_codes(person_ids) -> dict:
    """{person_id: stage code} of the open stage record (people without one are absent)."""
    from trainee.training.models import Stage, StageRecord

    ids = list(person_ids)
    result = {}
    for start in range(0, len(ids), 900):
        rows = db.session.execute(select(StageRecord.person_id, Stage.code).join(Stage).where(
            StageRecord.person_id.in_(ids[start:start + 900]), StageRecord.end_date.is_(None)))
        result.update(dict(rows.all()))
    return result


def stage_codes_on(person_ids, day) -> dict:
    """{person_id: stage code} of the stage each person was in on `day` (a past year's evaluation compares
    people by the stage they were in at that year's end, not by today's)."""
    from trainee.training.models import Stage, StageRecord

    ids = list(person_ids)
    result = {}
    for start in range(0, len(ids), 900):
        rows = db.session.execute(select(StageRecord.person_id, Stage.code).join(Stage).where(
            StageRecord.person_id.in_(ids[start:start + 900]), StageRecord.start_date <= day,
            (StageRecord.end_date.is_(None)) | (StageRecord.end_date > day))
            .order_by(StageRecord.start_date))
        result.update(dict(rows.all()))  # the latest record starting by `day` wins
    return result


def cohort_ids(person: Person) -> list[int]:
    """Active trainees of the same unit in the same current stage (the person included)."""
    from trainee.training.models import Stage, StageRecord

    stage = current_stage_codes([person.id]).get(person.id)
    query = select(Person.id).where(Person.unit_id == person.unit_id, Person.position == Position.ASSISTANT,
                                    Person.status == PersonStatus.ACTIVE)
    in_stage = select(StageRecord.person_id).join(Stage).where(StageRecord.end_date.is_(None))
    if stage is None:
        query = query.where(Person.id.not_in(in_stage))
    else:
        query = query.where(Person.id.in_(in_stage.where(Stage.code == stage)))
    return list(db.session.execute(query).scalars())


@dataclass
class Distribution:
    size: int
    q1: Decimal | None = None
    median: Decimal | None = None
    q3: Decimal | None = None

    @property
    def shown(self) -> bool:
        return self.median is not None

    def as_dict(self) -> dict:
        return {"size": self.size, "q1": _num(self.q1), "median": _num(self.median), "q3": _num(self.q3)}


def distribution(values) -> Distribution:
    values = sorted(Decimal(v) for v in values)
    if len(values) < MIN_COHORT:
        return Distribution(len(values))
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    two = Decimal("0.01")
    return Distribution(len(values), Decimal(q1).quantize(two), Decimal(median).quantize(two), Decimal(q3).quantize(two))


def cohort_distributions(person: Person, year: int, quarter: int | None = None) -> dict:
    """{"total": Distribution, "D1": Distribution, ...} of the person's cohort for a year (or one quarter)."""
    ids = cohort_ids(person)
    result = {"total": distribution(ledger.year_totals(ids, year, quarter).values())}
    for dim in Dimension:
        result[dim.name] = distribution(ledger.year_totals(ids, year, quarter, dim.name).values())
    return result


def _num(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def source_link(entry: PointsEntry) -> str | None:
    if entry.source_type is SourceType.NEGATIVE and entry.source_id:
        return f"/points/negative/{entry.source_id}"
    return None


def entry_json(entry: PointsEntry, reversed_ids: set) -> dict:
    return {"id": entry.id, "occurred_on": entry.occurred_on.isoformat(), "quarter": entry.quarter,
            "source": {"type": entry.source_type.value, "id": entry.source_id, "label": str(entry.source_type.label)},
            "note": entry.note, "dimension": entry.dimension.name, "rule_version": entry.rule_set.version
            if entry.rule_set else None, "base_points": _num(entry.base_points), "points": _num(entry.points),
            "capped": entry.capped, "cap_reason": entry.cap_reason, "reversal_of": entry.reversal_of_id,
            "reversed": entry.id in reversed_ids}


def points_summary(person: Person, year: int) -> dict:
    """Everything the points page and the API show for one person and year."""
    figures = ledger.totals(person.id, year)
    items = ledger.entries(person.id, year)
    return {"year": year, **figures, "entries": items, "reversed": ledger.reversed_ids(e.id for e in items),
            "cohort": cohort_distributions(person, year)}


def years_with_points(person_id: int) -> list[int]:
    from trainee.points.models import PointsTotal

    return sorted(set(db.session.execute(select(PointsTotal.year).where(PointsTotal.person_id == person_id))
                      .scalars()), reverse=True)
