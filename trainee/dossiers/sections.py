"""The sections of a dossier: one provider function per section, registered with `@section(order, key)`.

A provider receives the person and the DossierContext and returns a dict for its template
(templates/dossiers/sections/<key>.html), or None to leave the section out. A feature whose data is
not on this installation yet is printed as a plain "本节数据尚未启用" section by `pending()`, never
with invented data; when the feature lands, its provider replaces the placeholder.
"""
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from trainee.core.time import format_date
from trainee.extensions import db


@dataclass
class DossierContext:
    today: date
    code: str | None = None          # verification code (None in the browser preview)
    printed_by: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(order=True)
class Section:
    order: int
    key: str = field(compare=False)
    title: object = field(compare=False)
    provider: Callable = field(compare=False)


SECTIONS: dict[str, Section] = {}


def section(order: int, key: str, title):
    """Register a section provider; registering the same key again replaces the earlier provider."""
    def register(func):
        SECTIONS[key] = Section(order, key, title, func)
        return func
    return register


def feature_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def pending(note=None) -> dict:
    return {"pending": True, "note": note or _l("本节数据尚未启用：相关功能上线后自动列入。")}


def build(person, ctx: DossierContext) -> list[dict]:
    """The sections in print order, each {"key", "title", "number", "data"}; providers returning None are left out."""
    built = []
    for sec in sorted(SECTIONS.values()):
        data = sec.provider(person, ctx)
        if data is None:
            continue
        built.append({"key": sec.key, "title": sec.title, "number": len(built) + 1, "data": data,
                      "template": "dossiers/sections/_pending.html" if data.get("pending")
                      else f"dossiers/sections/{sec.key}.html"})
    return built


# --- profile (org) --------------------------------------------------------------------------------

@section(10, "profile", _l("基本情况"))
def profile(person, ctx):
    from trainee.core.time import months_between

    years = None
    if person.hire_date:
        months = months_between(person.hire_date, ctx.today)
        years = f"{months // 12} 年 {months % 12} 个月"
    return {"person": person, "service": years}


# --- training model: stages and the nine transitions (trainee/training) --------------------------

@section(20, "training", _l("阶段历程与九项转变"))
def training(person, ctx):
    """Stage history, promotions, and the nine transitions with status, date and signing mentor."""
    from sqlalchemy.orm import selectinload

    from trainee.core.time import months_between
    from trainee.training import models as tm
    from trainee.training.progress import person_progress

    records = db.session.execute(
        db.select(tm.StageRecord).where(tm.StageRecord.person_id == person.id)
        .options(selectinload(tm.StageRecord.stage))
        .order_by(tm.StageRecord.start_date, tm.StageRecord.id)).scalars().all()
    timeline = [{"stage": r.stage, "start": r.start_date, "end": r.end_date, "reason": r.reason,
                 "months": months_between(r.start_date, r.end_date or ctx.today)} for r in records]
    progress = person_progress(person, ctx.today)
    transitions = []
    for stage_view in progress.stages:
        for tv in stage_view.transitions:
            state = tv.state
            signed = state is not None and tv.status is tm.TransitionStatus.ACHIEVED
            transitions.append({
                "transition": tv.transition, "stage": stage_view.stage, "status": tv.status,
                "date": state.decided_on if signed else None,
                "mentor": state.mentor.name if signed and state.mentor else None,
                "met": sum(1 for r in tv.requirements if r.progress.met), "total": len(tv.requirements)})
    promotions = db.session.execute(
        db.select(tm.PromotionRequest).where(tm.PromotionRequest.person_id == person.id)
        .order_by(tm.PromotionRequest.recommended_on, tm.PromotionRequest.id)).scalars().all()
    return {"timeline": timeline, "transitions": transitions, "promotions": promotions,
            "qualified": progress.qualified}


# --- mentoring -------------------------------------------------------------------------------------

@section(30, "mentors", _l("带教经历"))
def mentors(person, ctx):
    from trainee.evaluation.models import QuarterComment
    from trainee.mentoring.models import MentorAssignment

    rows = db.session.execute(
        db.select(MentorAssignment).where(MentorAssignment.trainee_id == person.id)
        .options(selectinload(MentorAssignment.mentor))
        .order_by(MentorAssignment.start_date, MentorAssignment.id)).scalars().all()
    comments = db.session.execute(
        db.select(QuarterComment).where(QuarterComment.person_id == person.id)
        .options(selectinload(QuarterComment.mentor))
        .order_by(QuarterComment.year, QuarterComment.quarter)).scalars().all()
    return {"assignments": rows, "comments": comments}


# --- dual-study checklist (trainee/checklists) ------------------------------------------------------

@section(40, "checklist", _l("双学铸魂必学清单"))
def checklist(person, ctx):
    """Every item given, by stage and category: status, due date, confirmation date and confirming mentor."""
    from trainee.checklists import queries

    assignments = queries.person_assignments(person)
    if not assignments:
        return {"empty": True}
    states = {a.id: queries.state_of(a, ctx.today) for a in assignments}
    return {"groups": queries.grouped(assignments), "states": states, "labels": queries.STATE_LABELS,
            "confirmed": sum(1 for s in states.values() if s == queries.DONE), "total": len(assignments)}


# --- features still to land: printed as pending ------------------------------------------------


@section(50, "work", _l("工作纪实汇总"))
def work(person, ctx):
    """Approved entries by type and year, with highlights; every entry is listed in the appendix."""
    entries = approved_activities(person, ctx)
    if not entries:
        return {"empty": True}
    years = sorted({a.date.year for a in entries})
    by_type: dict = {}
    for a in entries:
        row = by_type.setdefault(a.type_id, {"type": a.type, "years": dict.fromkeys(years, 0), "total": 0,
                                             "hours": 0})
        row["years"][a.date.year] += 1
        row["total"] += 1
        row["hours"] += float(a.hours or 0)
    rows = sorted(by_type.values(), key=lambda r: (r["type"].order, r["type"].code))
    totals = {y: sum(r["years"][y] for r in rows) for y in years}
    # Highlights: the latest entries of the weightiest kinds (major cases, research, teaching...).
    weighty = [a for a in entries if float(a.type.default_points or 0) >= 4]
    highlights = sorted(weighty, key=lambda a: (a.date, a.id), reverse=True)[:10]
    return {"years": years, "rows": rows, "totals": totals, "count": len(entries), "highlights": highlights}


def approved_activities(person, ctx: DossierContext):
    """Approved entries in date order, loaded once per dossier (the summary and the appendix share them)."""
    from sqlalchemy.orm import selectinload

    from trainee.activities.models import Activity, ActivityStatus

    key = ("approved_activities", person.id)
    if key not in ctx.extra:
        ctx.extra[key] = db.session.execute(
            db.select(Activity).where(Activity.person_id == person.id, Activity.status == ActivityStatus.APPROVED)
            .options(selectinload(Activity.type), selectinload(Activity.transition))
            .order_by(Activity.date, Activity.id)).scalars().all()
    return ctx.extra[key]


@section(60, "points", _l("积分考核"))
def points(person, ctx):
    return pending()


@section(70, "negative", _l("负面清单记录"))
def negative(person, ctx):
    return pending()


@section(80, "evaluations", _l("年度综合评价"))
def evaluations(person, ctx):
    return pending()


@section(90, "competitions", _l("竞赛、荣誉与人才库"))
def competitions(person, ctx):
    """Verified results, honours and talent-pool entries (pending or rejected claims are not printed)."""
    from sqlalchemy.orm import selectinload

    from trainee.competitions import models as cm

    results = db.session.execute(
        db.select(cm.CompetitionResult).where(cm.CompetitionResult.person_id == person.id,
                                              cm.CompetitionResult.status == cm.ResultStatus.VERIFIED)
        .options(selectinload(cm.CompetitionResult.competition), selectinload(cm.CompetitionResult.entry),
                 selectinload(cm.CompetitionResult.team))
        .order_by(cm.CompetitionResult.date, cm.CompetitionResult.id)).scalars().all()
    best_debater = db.session.execute(
        db.select(db.func.count(cm.Match.id)).where(cm.Match.best_debater_id == person.id)).scalar() or 0
    honours = db.session.execute(
        db.select(cm.Honour).where(cm.Honour.person_id == person.id, cm.Honour.status == cm.VerifyStatus.VERIFIED)
        .order_by(cm.Honour.date, cm.Honour.id)).scalars().all()
    talents = db.session.execute(
        db.select(cm.TalentEntry).where(cm.TalentEntry.person_id == person.id,
                                        cm.TalentEntry.status == cm.VerifyStatus.VERIFIED)
        .order_by(cm.TalentEntry.date, cm.TalentEntry.id)).scalars().all()
    return {"results": results, "best_debater": best_debater, "honours": honours, "talents": talents}


@section(100, "career", _l("职业发展：履历、轮岗与发展规划"))
def career(person, ctx):
    from trainee.training import models as tm

    events = db.session.execute(db.select(tm.CareerEvent).where(tm.CareerEvent.person_id == person.id)
                                .order_by(tm.CareerEvent.date, tm.CareerEvent.id)).scalars().all()
    rotations = db.session.execute(db.select(tm.Rotation).where(tm.Rotation.person_id == person.id)
                                   .order_by(tm.Rotation.start_date, tm.Rotation.id)).scalars().all()
    plans = db.session.execute(db.select(tm.DevelopmentPlan).where(tm.DevelopmentPlan.person_id == person.id,
                                                                   tm.DevelopmentPlan.status != tm.PlanStatus.DRAFT)
                               .order_by(tm.DevelopmentPlan.year.desc())).scalars().all()
    return {"events": events, "rotations": rotations, "plan": plans[0] if plans else None,
            "earlier_plans": plans[1:]}


@section(900, "signature", _l("审核签章"))
def signature(person, ctx):
    return {}


@section(950, "appendix", _l("附录：已审核通过的工作记录"))
def appendix(person, ctx):
    """Every approved entry, grouped by type (in the order of the work summary), by date within a type."""
    entries = approved_activities(person, ctx)
    if not entries:
        return None
    groups: dict = {}
    for a in entries:
        groups.setdefault(a.type_id, {"type": a.type, "entries": []})["entries"].append(appendix_line(a))
    return {"groups": sorted(groups.values(), key=lambda g: (g["type"].order, g["type"].code)),
            "count": len(entries)}


TAB, EN_SPACE = "\t", "\u2002"


def appendix_line(a) -> str:
    """One appendix entry as the text of its single cell: date, tab, hours and code, tab, title and case number
    (see .appendix in dossier.css). Tab and en space go in as characters, not character references, and the
    template leaves no whitespace between rows: WeasyPrint's HTML parser took 0.17 s for the reference dossier's
    HTML with them, 0.11 s without."""
    code = EN_SPACE + a.transition.code if a.transition else ""
    case = f"（{a.case_no}）" if a.case_no else ""
    return f"{format_date(a.date)}{TAB}{appendix_hours(a.hours)}{code}{TAB}{a.title}{case}"


def appendix_hours(hours) -> str:
    """An entry's hours for the appendix, right-aligned by padding in a field as wide as "12.5": an en space
    (0.5 em; the bundled fonts have no figure space) for each missing digit (0.555 em), four for no hours."""
    text = str(hours) if hours else ""
    return EN_SPACE * max(0, 4 - len(text)) + text


# --- cover facts: small values printed on the cover (the current stage comes from trainee/training) ---

COVER: dict[str, Callable] = {}


def cover_fact(key: str):
    def register(func):
        COVER[key] = func
        return func
    return register


def cover(person, ctx: DossierContext) -> dict:
    return {key: func(person, ctx) for key, func in COVER.items()}


@cover_fact("stage")
def current_stage(person, ctx):
    from trainee.training.models import StageRecord

    record = db.session.execute(
        db.select(StageRecord).where(StageRecord.person_id == person.id, StageRecord.end_date.is_(None))
        .order_by(StageRecord.start_date.desc()).limit(1)).scalar_one_or_none()
    if record is None:
        return None
    return f"{record.stage.name}（{record.stage.theme}），{record.start_date:%Y-%m-%d} 起"
