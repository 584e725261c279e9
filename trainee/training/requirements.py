"""The one requirement interface of the progress engine.

Each requirement kind has an evaluator `(requirement, ctx) -> RequirementProgress`, registered with
`@evaluator(RequirementKind.X)`. Features that own the data (checklists, points, competitions...)
register their evaluator; the progress engine never changes when one is added. A kind without an
evaluator yet is reported as "not available" rather than faked.
"""
from dataclasses import dataclass, field
from datetime import date

from trainee.training.models import RequirementKind

EVALUATORS: dict = {}


@dataclass
class RequirementProgress:
    done: float
    target: float
    text: str                 # e.g. "22 / 30 协助办案"
    met: bool = False
    available: bool = True    # False while the kind's data has no evaluator
    details: dict = field(default_factory=dict)


@dataclass
class ProgressContext:
    """What evaluators need about one trainee, plus a cache so a page costs a constant number of queries."""
    person: object
    stage_start: dict          # stage code -> date the trainee entered it (None if not reached)
    today: date
    cache: dict = field(default_factory=dict)

    def cached(self, key, compute):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


def evaluator(kind: RequirementKind):
    def register(func):
        EVALUATORS[kind] = func
        return func
    return register


def evaluate(requirement, ctx: ProgressContext) -> RequirementProgress:
    func = EVALUATORS.get(requirement.kind)
    if func is None:
        return RequirementProgress(0, 1, f"{requirement.label}（该类数据尚未启用）", available=False)
    return func(requirement, ctx)
