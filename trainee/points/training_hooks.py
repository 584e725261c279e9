"""How points plug into the progress engine (trainee/training): the POINTS requirement evaluator,
the veto as a promotion check, and the points summary shown with progress."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from trainee.core.time import local_today
from trainee.extensions import db
from trainee.points import ledger
from trainee.points.models import PointsEntry
from trainee.points.operations import veto_message
from trainee.training import progress as engine
from trainee.training.models import RequirementKind
from trainee.training.requirements import ProgressContext, RequirementProgress, evaluator

STAGE_ORDER = ["S1", "S2", "S3"]


def _stage_window(code: str, ctx: ProgressContext) -> tuple[date | None, date | None]:
    """[start, end) of the trainee's time in a stage: its start, and the start of the next stage if reached."""
    start = ctx.stage_start.get(code)
    following = STAGE_ORDER[STAGE_ORDER.index(code) + 1:] if code in STAGE_ORDER else []
    end = next((ctx.stage_start[c] for c in following if ctx.stage_start.get(c)), None)
    return start, end


def points_in_window(person_id: int, start: date, end: date | None, dimension: str | None) -> Decimal:
    query = select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        PointsEntry.person_id == person_id, PointsEntry.occurred_on >= start)
    if end is not None:
        query = query.where(PointsEntry.occurred_on < end)
    if dimension:
        query = query.where(PointsEntry.dimension == dimension)
    return Decimal(db.session.execute(query).scalar_one())


def _window_sum(daily, start, end, dimension) -> Decimal:
    return sum((points for day, dim, points in daily
                if day >= start and (end is None or day < end) and (dimension is None or dim == dimension)), Decimal(0))


@engine.batch_loader
def load_points(contexts) -> None:
    """One query for a whole list: every person's points per day and dimension, windowed per stage in memory."""
    if not contexts:
        return
    ids = [ctx.person.id for ctx in contexts]
    daily: dict = {pid: [] for pid in ids}
    for start in range(0, len(ids), 900):
        rows = db.session.execute(select(PointsEntry.person_id, PointsEntry.occurred_on, PointsEntry.dimension,
                                         func.sum(PointsEntry.points))
                                  .where(PointsEntry.person_id.in_(ids[start:start + 900]))
                                  .group_by(PointsEntry.person_id, PointsEntry.occurred_on, PointsEntry.dimension))
        for pid, day, dim, total in rows:
            daily[pid].append((day, getattr(dim, "name", dim), Decimal(total)))
    for ctx in contexts:
        for code in STAGE_ORDER:
            begin, end = _stage_window(code, ctx)
            if begin is None:
                continue
            for dimension in (None, "D1", "D2", "D3", "D4"):
                ctx.cache[("points", code, dimension)] = _window_sum(daily[ctx.person.id], begin, end, dimension)


@evaluator(RequirementKind.POINTS)
def eval_points(requirement, ctx: ProgressContext) -> RequirementProgress:
    """params {"points": 60, "dimension": null | "D1"}: points earned while in the requirement's stage."""
    target = Decimal(str(requirement.params.get("points") or 0))
    dimension = requirement.params.get("dimension") or None
    code = requirement.transition.stage.code
    start, end = _stage_window(code, ctx)
    if start is None:
        done = Decimal(0)
    else:
        done = ctx.cached(("points", code, dimension), lambda: points_in_window(ctx.person.id, start, end, dimension))
    label = f"{dimension} " if dimension else ""
    return RequirementProgress(float(done), float(target), f"{ledger.fmt(min(done, target) if target else done)} / "
                               f"{ledger.fmt(target)} {label}积分", met=done >= target,
                               details={"dimension": dimension})


def veto_check(person, year: int):
    return veto_message(person, year)


def current_year_points(person) -> dict:
    """The current calendar year's points (the engine shows them beside progress)."""
    figures = ledger.totals(person.id, local_today().year)
    as_number = lambda v: int(v) if v == v.to_integral_value() else float(v)  # noqa: E731
    return {"total": as_number(figures["total"]), "by_dimension": {k: as_number(v) for k, v in figures["by_dimension"].items()}}


if veto_check not in engine.PROMOTION_CHECKS:
    engine.PROMOTION_CHECKS.append(veto_check)
if current_year_points not in engine.POINTS_SUMMARY:
    engine.POINTS_SUMMARY.append(current_year_points)
