"""The `checklist` requirement kind (T1: 初阶政治必研清单全部确认, T2: 初阶业务必学条目全部确认).

params {"category": "POLITICAL" | "BUSINESS", "stage": "S1"} (stage defaults to the transition's stage):
every item in use of that category and stage confirmed by the mentor; items the person is exempt from
are not required. An item the person has not been given yet still counts as missing.
"""
from collections import defaultdict

from flask import g, has_request_context
from sqlalchemy import select

from trainee.checklists.models import AssignmentStatus, ChecklistAssignment, ChecklistItem
from trainee.extensions import db
from trainee.training.models import RequirementKind, Stage
from trainee.training.progress import batch_loader
from trainee.training.requirements import ProgressContext, RequirementProgress, evaluator

CACHE_KEY = "checklist_statuses"
ITEMS_KEY = "checklist_items"


def _items() -> list[tuple]:
    """[(item id, category name, stage code, title)] of items in use, once per request."""
    if has_request_context() and "checklist_items" in g:
        return g.checklist_items
    rows = [(i, c.name, s, t) for i, c, s, t in db.session.execute(
        select(ChecklistItem.id, ChecklistItem.category, Stage.code, ChecklistItem.title)
        .join(Stage, Stage.id == ChecklistItem.stage_id).where(ChecklistItem.active.is_(True))
        .order_by(ChecklistItem.order, ChecklistItem.id)).all()]
    if has_request_context():
        g.checklist_items = rows
    return rows


def _load_statuses(person_ids) -> dict:
    """{person id: {item id: AssignmentStatus}}: one query for any number of people."""
    result: dict = defaultdict(dict)
    ids = list(person_ids)
    for start in range(0, len(ids), 900):
        for person_id, item_id, status in db.session.execute(
                select(ChecklistAssignment.person_id, ChecklistAssignment.item_id, ChecklistAssignment.status)
                .where(ChecklistAssignment.person_id.in_(ids[start:start + 900]))):
            result[person_id][item_id] = status
    return result


@batch_loader
def _batch_checklist(contexts: list[ProgressContext]) -> None:
    statuses = _load_statuses([ctx.person.id for ctx in contexts])
    items = _items()
    for ctx in contexts:
        ctx.cache.setdefault(CACHE_KEY, statuses.get(ctx.person.id, {}))
        ctx.cache.setdefault(ITEMS_KEY, items)


@evaluator(RequirementKind.CHECKLIST)
def checklist_requirement(requirement, ctx: ProgressContext) -> RequirementProgress:
    params = requirement.params or {}
    category = str(params.get("category") or "POLITICAL")
    stage = str(params.get("stage") or (requirement.transition.stage.code if requirement.transition else "S1"))
    relevant = [(item_id, title) for item_id, cat, code, title in ctx.cached(ITEMS_KEY, _items) if cat == category and code == stage]
    statuses = ctx.cached(CACHE_KEY, lambda: _load_statuses([ctx.person.id]).get(ctx.person.id, {}))
    required = [(i, t) for i, t in relevant if statuses.get(i) is not AssignmentStatus.EXEMPT]
    confirmed = [i for i, _t in required if statuses.get(i) is AssignmentStatus.CONFIRMED]
    missing = [t for i, t in required if statuses.get(i) is not AssignmentStatus.CONFIRMED]
    target, done = len(required), len(confirmed)
    reached = stage in ctx.stage_start
    met = reached and done >= target
    return RequirementProgress(done, target, f"{done} / {target} {requirement.label}", met=met,
                               details={"category": category, "stage": stage, "missing": missing})
