"""The `competition` requirement kind (e.g. T5 "参加竞赛或评选 1 次").

params {"count": 1, "min_level": "UNIT"}: verified results at a level ≥ min_level dated within the stage
the requirement belongs to (from the day the trainee entered it). One competition counts once.
"""
from collections import defaultdict

from sqlalchemy import select

from trainee.competitions.models import CompetitionResult, Level, ResultStatus
from trainee.extensions import db
from trainee.training.models import RequirementKind
from trainee.training.progress import batch_loader
from trainee.training.requirements import ProgressContext, RequirementProgress, evaluator

CACHE_KEY = "competition_results"


def _load_verified_results(person_ids) -> dict:
    """{person id: [(competition id, level, date)]} of verified results: one query for any number of people."""
    rows = defaultdict(list)
    for person_id, competition_id, level, on in db.session.execute(
            select(CompetitionResult.person_id, CompetitionResult.competition_id, CompetitionResult.level,
                   CompetitionResult.date)
            .where(CompetitionResult.person_id.in_(person_ids), CompetitionResult.status == ResultStatus.VERIFIED)):
        rows[person_id].append((competition_id, level, on))
    return rows


@batch_loader
def _batch_competition_results(contexts: list[ProgressContext]) -> None:
    results = _load_verified_results([ctx.person.id for ctx in contexts])
    for ctx in contexts:
        ctx.cache.setdefault(CACHE_KEY, results.get(ctx.person.id, []))


@evaluator(RequirementKind.COMPETITION)
def competition_requirement(requirement, ctx: ProgressContext) -> RequirementProgress:
    params = requirement.params or {}
    target = max(int(params.get("count") or 1), 1)
    minimum = Level.__members__.get(str(params.get("min_level") or "UNIT"), Level.UNIT)
    stage_code = requirement.transition.stage.code if requirement.transition else None
    since = ctx.stage_start.get(stage_code) if stage_code else None
    if stage_code and since is None:
        return RequirementProgress(0, target, f"0 / {target} {requirement.label}",
                                   details={"min_level": minimum.name, "competitions": []})
    rows = ctx.cached(CACHE_KEY, lambda: _load_verified_results([ctx.person.id]).get(ctx.person.id, []))
    counted = sorted({cid for cid, level, on in rows
                      if level.rank >= minimum.rank and (since is None or on >= since) and on <= ctx.today})
    done = len(counted)
    return RequirementProgress(min(done, target), target, f"{done} / {target} {requirement.label}", met=done >= target,
                               details={"min_level": minimum.name, "competitions": counted})
