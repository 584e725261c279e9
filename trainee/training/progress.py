"""The progress engine: where a trainee stands on each of the nine transitions.

Status per transition (TransitionStatus):
  locked       the transition's stage is not reached yet
  in_progress  some requirement is not met
  ready        every requirement is met (manual milestones signed): the trainee may submit
  submitted    waiting for the primary mentor's signature
  achieved     signed by the mentor (or waived by an HR placement), date kept
  returned     the mentor returned it with a comment; works like in_progress until resubmitted

Requirements are evaluated only through the registry in trainee/training/requirements.py. The page
cost is constant: the model is loaded once per request, each evaluator reads its data with one query
per trainee (cached in the ProgressContext), and `progress_for_many` pre-loads the same caches for
many trainees at once (BATCH_LOADERS) so a list of N trainees costs a constant number of queries too.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import g, has_app_context, has_request_context
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from trainee.core.time import local_today, months_between
from trainee.extensions import db
from trainee.training.models import (
    ManualSignoff,
    PromotionRequest,
    PromotionStatus,
    Requirement,
    RequirementKind,
    Stage,
    StageRecord,
    Transition,
    TransitionEvent,
    TransitionState,
    TransitionStatus,
)
from trainee.training.requirements import ProgressContext, RequirementProgress, evaluate, evaluator

# Pre-loaders for many trainees: func(contexts: list[ProgressContext]) -> None fills ctx.cache.
# A feature registering an evaluator may add one here so that lists stay at a constant query count.
BATCH_LOADERS: list = []

# Veto and other promotion checks: func(person, year) -> str | list[str] | None (reasons that block).
PROMOTION_CHECKS: list = []

# Points for the API and pages: func(person) -> {"total": n, "by_dimension": {...}}; the points feature fills it.
POINTS_SUMMARY: list = []


def _(text: str, **kwargs) -> str:
    """gettext inside a request; the Chinese msgid outside one (CLI, background jobs, tests)."""
    if has_request_context():
        return gettext(text, **kwargs)
    return text % kwargs if kwargs else text


def batch_loader(func):
    if func not in BATCH_LOADERS:
        BATCH_LOADERS.append(func)
    return func


# --- the model, once per request -----------------------------------------------------------------

def load_model() -> list[Stage]:
    """Stages with transitions and active requirements, cached for the request (one joined query: a few
    dozen rows, where three queries cost three round trips on PostgreSQL)."""
    if has_app_context() and "training_model" in g:
        return g.training_model
    stages = db.session.execute(
        select(Stage).order_by(Stage.order).options(
            joinedload(Stage.transitions).joinedload(Transition.requirements))
    ).unique().scalars().all()
    if has_app_context():
        g.training_model = stages
    return stages


def reset_model_cache() -> None:
    if has_app_context():
        g.pop("training_model", None)
        g.pop("activity_type_names", None)


# --- result objects ------------------------------------------------------------------------------

@dataclass
class RequirementView:
    requirement: Requirement
    progress: RequirementProgress
    hint: str = ""            # what to do next, e.g. "再记录 8 件协助办案"
    signoff: ManualSignoff | None = None

    @property
    def percent(self) -> int:
        if not self.progress.available:
            return 0
        if self.progress.target <= 0:
            return 100 if self.progress.met else 0
        return int(min(self.progress.done / self.progress.target, 1) * 100)


@dataclass
class TransitionView:
    transition: Transition
    status: TransitionStatus
    requirements: list[RequirementView] = field(default_factory=list)
    state: TransitionState | None = None
    all_met: bool = False

    @property
    def code(self):
        return self.transition.code

    @property
    def missing(self) -> list[RequirementView]:
        return [r for r in self.requirements if not r.progress.met]

    @property
    def can_submit(self) -> bool:
        return self.all_met and self.status in (TransitionStatus.READY, TransitionStatus.RETURNED)

    @property
    def percent(self) -> int:
        if self.status is TransitionStatus.ACHIEVED:
            return 100
        if not self.requirements:
            return 100 if self.all_met else 0
        return int(sum(r.percent for r in self.requirements) / len(self.requirements))


@dataclass
class StageView:
    stage: Stage
    phase: str                  # "past", "current", "future"
    start: date | None
    end: date | None
    transitions: list[TransitionView]

    @property
    def achieved(self) -> int:
        return sum(1 for t in self.transitions if t.status is TransitionStatus.ACHIEVED)


@dataclass
class PersonProgress:
    person: object
    stages: list[StageView]
    current: StageView | None
    pending_promotion: PromotionRequest | None
    qualified: bool            # 培养合格: stage 3 completed and approved
    ctx: ProgressContext

    @property
    def transitions(self) -> list[TransitionView]:
        return [t for s in self.stages for t in s.transitions]

    def transition(self, code: str) -> TransitionView | None:
        return next((t for t in self.transitions if t.code == code), None)

    @property
    def next_stage(self):
        if self.current is None:
            return None
        later = [s.stage for s in self.stages if s.stage.order > self.current.stage.order]
        return later[0] if later else None

    @property
    def months_in_stage(self) -> int:
        if self.current is None or self.current.start is None:
            return 0
        return months_between(self.current.start, self.ctx.today)

    def next_steps(self, limit: int = 4) -> list[tuple[TransitionView, str]]:
        """What to do next, most useful first: submit ready ones, then the largest gaps of the current stage."""
        steps = []
        if self.current is None or self.qualified:
            return steps
        for tv in self.current.transitions:
            if tv.can_submit:
                steps.append((tv, _("%(code)s 的要求已全部满足，请提交导师确认。", code=tv.code)))
        for tv in self.current.transitions:
            if tv.status in (TransitionStatus.IN_PROGRESS, TransitionStatus.RETURNED):
                for rv in tv.missing:
                    if rv.hint:
                        steps.append((tv, rv.hint))
        return steps[:limit]


# --- evaluators ----------------------------------------------------------------------------------

def _stage_code_of(requirement: Requirement) -> str:
    return requirement.transition.stage.code


def _since(requirement, ctx: ProgressContext):
    return ctx.stage_start.get(_stage_code_of(requirement))


def _activity_counts(ctx: ProgressContext) -> dict:
    """{(stage code, type code): approved entries dated on/after the trainee's start of that stage}.

    One GROUP BY query per trainee (or one for all, via the batch loader)."""
    return ctx.cached("activity_counts", lambda: _load_activity_counts([ctx.person.id]).get(ctx.person.id, {}))


def _load_activity_counts(person_ids) -> dict:
    from trainee.activities.models import Activity, ActivityStatus, ActivityType

    starts = (select(StageRecord.person_id, StageRecord.stage_id, func.min(StageRecord.start_date).label("start"))
              .where(StageRecord.person_id.in_(person_ids))
              .group_by(StageRecord.person_id, StageRecord.stage_id).subquery())
    rows = db.session.execute(
        select(Activity.person_id, Stage.code, ActivityType.code, func.count(Activity.id))
        .join(ActivityType, ActivityType.id == Activity.type_id)
        .join(starts, (starts.c.person_id == Activity.person_id) & (Activity.date >= starts.c.start))
        .join(Stage, Stage.id == starts.c.stage_id)
        .where(Activity.person_id.in_(person_ids), Activity.status == ActivityStatus.APPROVED)
        .group_by(Activity.person_id, Stage.code, ActivityType.code)
    ).all()
    result: dict = defaultdict(dict)
    for person_id, stage_code, type_code, count in rows:
        result[person_id][(stage_code, type_code)] = count
    return result


def _type_names() -> dict:
    from trainee.activities.models import ActivityType

    if has_app_context() and "activity_type_names" in g:
        return g.activity_type_names
    names = dict(db.session.execute(select(ActivityType.code, ActivityType.name)).all())
    if has_app_context():
        g.activity_type_names = names
    return names


@evaluator(RequirementKind.ACTIVITY_COUNT)
def eval_activity_count(requirement, ctx: ProgressContext) -> RequirementProgress:
    types = list(requirement.params.get("types") or [])
    target = int(requirement.params.get("count") or 0)
    counts = _activity_counts(ctx)
    stage = _stage_code_of(requirement)
    done = sum(counts.get((stage, code), 0) for code in types)
    names = _type_names()
    label = "/".join(names.get(code, code) for code in types)
    return RequirementProgress(done, target, f"{min(done, target) if target else done} / {target} {label}",
                               met=done >= target, details={"types": types})


def _rotations(ctx: ProgressContext):
    return ctx.cached("rotations", lambda: _load_rotations([ctx.person.id]).get(ctx.person.id, []))


def _load_rotations(person_ids) -> dict:
    from trainee.training.models import Rotation, RotationStatus

    rows = db.session.execute(select(Rotation).where(Rotation.person_id.in_(person_ids),
                                                     Rotation.status == RotationStatus.CONFIRMED)).scalars().all()
    result: dict = defaultdict(list)
    for rotation in rows:
        result[rotation.person_id].append((rotation.department_id, rotation.start_date, rotation.end_date))
    return result


@evaluator(RequirementKind.ROTATION)
def eval_rotation(requirement, ctx: ProgressContext) -> RequirementProgress:
    target = int(requirement.params.get("departments") or 0)
    months = int(requirement.params.get("months") or 0)
    since = _since(requirement, ctx)
    good = set()
    for department_id, start, end in _rotations(ctx):
        end = end or ctx.today
        if since is not None and end < since:
            continue
        if months_between(start, min(end, ctx.today)) >= months:
            good.add(department_id)
    done = len(good)
    return RequirementProgress(done, target, _("%(done)s / %(target)s 个部门轮岗（每个不少于 %(months)s 个月）",
                                               done=min(done, target), target=target, months=months),
                               met=done >= target)


def _plans(ctx: ProgressContext):
    return ctx.cached("plans", lambda: _load_plans([ctx.person.id]).get(ctx.person.id, []))


def _load_plans(person_ids) -> dict:
    from trainee.training.models import DevelopmentPlan, PlanStatus

    rows = db.session.execute(select(DevelopmentPlan.person_id, DevelopmentPlan.reviewed_on).where(
        DevelopmentPlan.person_id.in_(person_ids), DevelopmentPlan.status == PlanStatus.APPROVED)).all()
    result: dict = defaultdict(list)
    for person_id, reviewed_on in rows:
        result[person_id].append(reviewed_on)
    return result


@evaluator(RequirementKind.PLAN)
def eval_plan(requirement, ctx: ProgressContext) -> RequirementProgress:
    since = _since(requirement, ctx)
    ok = any(reviewed and (since is None or reviewed >= since) for reviewed in _plans(ctx))
    return RequirementProgress(1 if ok else 0, 1, _("个人发展规划经导师审核") if ok else _("个人发展规划尚未经导师审核"),
                               met=ok)


def _peer_mentees(ctx: ProgressContext):
    return ctx.cached("peer_mentees", lambda: _load_peer_mentees([ctx.person.id]).get(ctx.person.id, []))


def _load_peer_mentees(person_ids) -> dict:
    from trainee.mentoring.models import AssignmentKind, MentorAssignment

    rows = db.session.execute(select(MentorAssignment.mentor_id, MentorAssignment.trainee_id,
                                     MentorAssignment.start_date, MentorAssignment.end_date).where(
        MentorAssignment.mentor_id.in_(person_ids), MentorAssignment.kind == AssignmentKind.PEER)).all()
    result: dict = defaultdict(list)
    for mentor_id, trainee_id, start, end in rows:
        result[mentor_id].append((trainee_id, start, end))
    return result


@evaluator(RequirementKind.MENTORING)
def eval_mentoring(requirement, ctx: ProgressContext) -> RequirementProgress:
    target = int(requirement.params.get("count") or 1)
    since = _since(requirement, ctx)
    juniors = {trainee for trainee, _start, end in _peer_mentees(ctx) if since is None or end is None or end >= since}
    done = len(juniors)
    return RequirementProgress(done, target, _("%(done)s / %(target)s 名新人（朋辈带教）", done=min(done, target),
                                               target=target), met=done >= target)


def _manual(ctx: ProgressContext) -> dict:
    return ctx.cached("manual", lambda: _load_manual([ctx.person.id]).get(ctx.person.id, {}))


def _load_manual(person_ids) -> dict:
    rows = db.session.execute(select(ManualSignoff).where(ManualSignoff.person_id.in_(person_ids))
                              .options(selectinload(ManualSignoff.mentor))).scalars().all()
    result: dict = defaultdict(dict)
    for signoff in rows:
        result[signoff.person_id][signoff.requirement_id] = signoff
    return result


@evaluator(RequirementKind.MANUAL)
def eval_manual(requirement, ctx: ProgressContext) -> RequirementProgress:
    signoff = _manual(ctx).get(requirement.id)
    if signoff is None:
        return RequirementProgress(0, 1, _("待导师确认：%(m)s", m=requirement.params.get("milestone") or requirement.label))
    return RequirementProgress(1, 1, _("导师 %(name)s 已于 %(day)s 确认", name=signoff.mentor.name,
                                       day=signoff.signed_on.isoformat()), met=True, details={"signoff": signoff})


@batch_loader
def _batch_core(contexts: list[ProgressContext]) -> None:
    ids = [ctx.person.id for ctx in contexts]
    counts, rotations = _load_activity_counts(ids), _load_rotations(ids)
    plans, peers, manual = _load_plans(ids), _load_peer_mentees(ids), _load_manual(ids)
    for ctx in contexts:
        pid = ctx.person.id
        ctx.cache.setdefault("activity_counts", counts.get(pid, {}))
        ctx.cache.setdefault("rotations", rotations.get(pid, []))
        ctx.cache.setdefault("plans", plans.get(pid, []))
        ctx.cache.setdefault("peer_mentees", peers.get(pid, []))
        ctx.cache.setdefault("manual", manual.get(pid, {}))


# --- hints ---------------------------------------------------------------------------------------

def _hint(requirement: Requirement, progress: RequirementProgress) -> str:
    if progress.met or not progress.available:
        return ""
    kind = requirement.kind
    if kind is RequirementKind.ACTIVITY_COUNT:
        names = _type_names()
        label = "/".join(names.get(c, c) for c in requirement.params.get("types") or [])
        return _("再记录并通过 %(n)s 条「%(label)s」", n=int(progress.target - progress.done), label=label)
    if kind is RequirementKind.ROTATION:
        return _("完成轮岗并请接收部门负责人确认（还差 %(n)s 个部门）", n=int(progress.target - progress.done))
    if kind is RequirementKind.PLAN:
        return _("填写个人发展规划并提交导师审核")
    if kind is RequirementKind.MENTORING:
        return _("请政治部安排一名新人由您朋辈带教")
    if kind is RequirementKind.MANUAL:
        return _("请导师确认：%(m)s", m=requirement.params.get("milestone") or requirement.label)
    if kind is RequirementKind.CHECKLIST:
        return _("撰写必学清单学习心得并请导师确认（还差 %(n)s 项）", n=int(progress.target - progress.done))
    return _("完成：%(label)s", label=requirement.label)


# --- computing progress --------------------------------------------------------------------------

def _contexts(people, today) -> tuple[list[ProgressContext], dict, dict, dict]:
    ids = [p.id for p in people]
    records = db.session.execute(select(StageRecord).where(StageRecord.person_id.in_(ids))
                                 .order_by(StageRecord.start_date, StageRecord.id)).scalars().all()
    by_person: dict = defaultdict(list)
    for record in records:
        by_person[record.person_id].append(record)
    states: dict = defaultdict(dict)
    for state in db.session.execute(select(TransitionState).where(TransitionState.person_id.in_(ids))
                                    .options(selectinload(TransitionState.mentor))).scalars():
        states[state.person_id][state.transition_id] = state
    promotions: dict = defaultdict(list)
    for request in db.session.execute(select(PromotionRequest).where(PromotionRequest.person_id.in_(ids))
                                      .order_by(PromotionRequest.id)).scalars():
        promotions[request.person_id].append(request)
    stage_codes = {s.id: s.code for s in load_model()}
    contexts = []
    for person in people:
        starts = {}
        for record in by_person[person.id]:
            starts.setdefault(stage_codes[record.stage_id], record.start_date)
        contexts.append(ProgressContext(person=person, stage_start=starts, today=today))
    return contexts, by_person, states, promotions


def _build(ctx, records, states, promotions) -> PersonProgress:
    stages = load_model()
    open_record = next((r for r in records if r.end_date is None), None)
    current_stage_id = open_record.stage_id if open_record else None
    qualified = any(p.status is PromotionStatus.APPROVED and p.to_stage_id is None for p in promotions)
    current_order = None
    if open_record is not None:
        current_order = next(s.order for s in stages if s.id == current_stage_id)
    elif records:  # no open record: training completed (or closed) — the last stage counts as reached
        current_order = max(s.order for s in stages if s.id in {r.stage_id for r in records})
    views, current_view = [], None
    for stage in stages:
        stage_records = [r for r in records if r.stage_id == stage.id]
        start = stage_records[0].start_date if stage_records else None
        end = stage_records[-1].end_date if stage_records else None
        if stage.id == current_stage_id:
            phase = "current"
        elif current_order is not None and stage.order <= current_order and stage_records:
            phase = "past"
        else:
            phase = "future"
        tviews = []
        for transition in stage.transitions:
            state = states.get(transition.id)
            tv = TransitionView(transition=transition, status=TransitionStatus.LOCKED, state=state)
            reached = phase in ("current", "past")
            for requirement in transition.requirements:
                progress = evaluate(requirement, ctx) if reached else RequirementProgress(
                    0, 1, requirement.label, available=True)
                tv.requirements.append(RequirementView(requirement, progress, _hint(requirement, progress) if reached
                                                       else "", progress.details.get("signoff")))
            tv.all_met = reached and all(r.progress.met for r in tv.requirements)
            if not reached:
                tv.status = TransitionStatus.LOCKED
            elif state is not None and state.status in (TransitionStatus.ACHIEVED, TransitionStatus.SUBMITTED):
                tv.status = state.status
            elif state is not None and state.status is TransitionStatus.RETURNED:
                tv.status = TransitionStatus.RETURNED
            else:
                tv.status = TransitionStatus.READY if tv.all_met else TransitionStatus.IN_PROGRESS
            tviews.append(tv)
        view = StageView(stage, phase, start, end, tviews)
        if phase == "current":
            current_view = view
        views.append(view)
    pending = next((p for p in reversed(promotions) if p.status is PromotionStatus.RECOMMENDED), None)
    return PersonProgress(ctx.person, views, current_view, pending, qualified, ctx)


def person_progress(person, today: date | None = None) -> PersonProgress:
    """Progress of one trainee: a constant number of queries whatever the amount of data."""
    return progress_for_many([person], today)[0]


def progress_for_many(people, today: date | None = None) -> list[PersonProgress]:
    """Progress of many trainees (dashboards, lists, the API): a constant number of queries in all."""
    people = list(people)
    if not people:
        return []
    today = today or local_today()
    load_model()
    contexts, records, states, promotions = _contexts(people, today)
    for loader in BATCH_LOADERS:
        loader(contexts)
    return [_build(ctx, records[ctx.person.id], states[ctx.person.id], promotions[ctx.person.id])
            for ctx in contexts]


def history(person) -> list[TransitionEvent]:
    return db.session.execute(select(TransitionEvent).where(TransitionEvent.person_id == person.id)
                              .options(selectinload(TransitionEvent.transition), selectinload(TransitionEvent.signer))
                              .order_by(TransitionEvent.at.desc(), TransitionEvent.id.desc())).scalars().all()


def points_summary(person) -> dict:
    """Points for the API/pages; zeros until the points feature registers a provider in POINTS_SUMMARY."""
    for provider in POINTS_SUMMARY:
        result = provider(person)
        if result is not None:
            return result
    return {"total": 0, "by_dimension": {"D1": 0, "D2": 0, "D3": 0, "D4": 0}}


def promotion_blockers(person, year: int | None = None, progress: PersonProgress | None = None) -> list[str]:
    """Reasons why the trainee cannot be promoted (recommended or approved) now; empty = eligible.

    Checks: an open stage, the three transitions achieved, minimum months served, active status, and
    every callable of PROMOTION_CHECKS (the points feature adds the veto 一票否决 there)."""
    from trainee.org.models import PersonStatus

    progress = progress or person_progress(person)
    year = year or progress.ctx.today.year
    reasons = []
    if person.status is not PersonStatus.ACTIVE:
        reasons.append(_("人员状态为「%(s)s」，不能晋阶。", s=person.status.label))
    current = progress.current
    if current is None:
        reasons.append(_("没有进行中的培养阶段。"))
        return reasons
    missing = [t.code for t in current.transitions if t.status is not TransitionStatus.ACHIEVED]
    if missing:
        reasons.append(_("尚未达成：%(codes)s。", codes="、".join(missing)))
    served, required = progress.months_in_stage, current.stage.min_months
    if served < required:
        reasons.append(_("本阶段已满 %(served)s 个月，须满 %(required)s 个月。", served=served, required=required))
    for check in PROMOTION_CHECKS:
        result = check(person, year)
        if isinstance(result, str):
            reasons.append(result)
        elif result:
            reasons.extend(result)
    return reasons
