"""Changes in evaluation: open a cycle, self-summary, mentor and department scores, grades, finalise;
quarterly mentor comments. Each checks permission, validates, audits and commits in one transaction."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from trainee import audit, policy
from trainee.core.errors import DomainError, ValidationFailed
from trainee.core.ops import transaction
from trainee.core.params import as_int
from trainee.core.time import local_today, utcnow
from trainee.evaluation import scoring
from trainee.evaluation.models import CohortBasis, CycleStatus, Evaluation, EvaluationCycle, Grade, QuarterComment
from trainee.extensions import db
from trainee.notifications import notify
from trainee.org.models import Person, PersonStatus, Position, Unit
from trainee.points.ledger import year_totals
from trainee.points.operations import veto_items
from trainee.points.queries import stage_codes_on

CYCLE_FIELDS = ("year", "name", "cohort_basis", "weight_quant", "weight_mentor", "weight_dept",
                "excellent_quota_pct", "summary_min_length", "status")
EVAL_FIELDS = ("summary_submitted_at", "mentor_score", "mentor_comment", "dept_score", "grade", "composite",
               "quant_score", "points_total", "veto")
MAX_TEXT = 10_000
GRADE_ZH = {"EXCELLENT": "优秀", "COMPETENT": "称职", "BASIC": "基本称职", "INCOMPETENT": "不称职"}  # stored texts


def _text_length(text: str) -> int:
    return len("".join((text or "").split()))


# --- cycles -------------------------------------------------------------------------------------

def open_cycle(actor, *, year: int, name: str, unit_ids: list[int] | None = None,
               cohort_basis: CohortBasis = CohortBasis.UNIT, weights=(60, 20, 20), quota_pct: int = 20,
               summary_min_length: int = 300, person_ids: list[int] | None = None) -> EvaluationCycle:
    """Open a cycle for whole units, or (person_ids, the people list's bulk action) for a selection of trainees;
    the cycle's units are then the selection's units. Nobody is evaluated twice in one year."""
    policy.require(actor, "evaluation.manage")
    errors: dict = {}
    selection = _selection(actor, person_ids, errors) if person_ids is not None else None
    if selection is not None:
        unit_ids = sorted({p.unit_id for p in selection})
    today = local_today()
    if not isinstance(year, int) or not 2000 <= year <= today.year:
        errors["year"] = [f"年度须在 2000–{today.year} 之间。"]
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = ["名称须为 1–100 个字符。"]
    units = [db.session.get(Unit, uid) for uid in unit_ids or []]
    if selection is None and (not units or any(u is None or not policy.in_unit_scope(actor, u) for u in units)):
        errors["unit_ids"] = ["请选择您管理范围内的单位。"]
    if any(not isinstance(w, int) or not 0 <= w <= 100 for w in weights) or sum(weights) != 100:
        errors["weight_quant"] = ["三项权重须为 0–100 的整数，合计 100。"]
    if not isinstance(quota_pct, int) or not 0 <= quota_pct <= 100:
        errors["excellent_quota_pct"] = ["优秀比例须为 0–100 的整数。"]
    if not isinstance(summary_min_length, int) or not 0 <= summary_min_length <= 5000:
        errors["summary_min_length"] = ["述职最少字数须为 0–5000。"]
    people = selection
    if not errors and people is None:
        people = db.session.execute(select(Person).where(
            Person.unit_id.in_([u.id for u in units]), Person.position == Position.ASSISTANT,
            Person.status == PersonStatus.ACTIVE, Person.hire_date <= date(year, 12, 31))).scalars().all()
    if not errors:
        people = [p for p in people if p.hire_date is None or p.hire_date <= date(year, 12, 31)]
        if not people:
            errors["unit_ids"] = [f"所选范围内没有 {year} 年度在培的检察官助理。"]
    if not errors:
        clash = db.session.execute(select(Person.name).join(Evaluation, Evaluation.person_id == Person.id)
                                   .join(EvaluationCycle).where(EvaluationCycle.year == year,
                                                                Person.id.in_([p.id for p in people]))
                                   .order_by(Person.staff_no).limit(4)).scalars().all()
        if clash:
            names = "、".join(clash[:3]) + (" 等" if len(clash) > 3 else "")
            errors["unit_ids"] = [f"{names} 的 {year} 年度考评已经开启，不能重复开启。"]
    if errors:
        raise ValidationFailed("考评未开启，请按提示修改。", errors)
    cycle = EvaluationCycle(year=year, name=name, owner_unit_id=actor.unit_id, cohort_basis=cohort_basis,
                            weight_quant=weights[0], weight_mentor=weights[1], weight_dept=weights[2],
                            excellent_quota_pct=quota_pct, summary_min_length=summary_min_length,
                            opened_by_id=actor.id, units=units)
    # The stage at the year's end (or today, for the current year): the cohort a trainee belonged to that year.
    stages = stage_codes_on([p.id for p in people], min(date(year, 12, 31), local_today()))
    mentors = _primary_mentors([p.id for p in people])
    with transaction():
        db.session.add(cycle)
        db.session.flush()
        for person in people:
            db.session.add(Evaluation(cycle=cycle, person_id=person.id, unit_id=person.unit_id,
                                      department_id=person.department_id, stage_code=stages.get(person.id),
                                      mentor_id=mentors.get(person.id)))
            notify(person, "evaluation", f"{year} 年度综合评价已开启，请撰写并提交述职。", link="/evaluation/",
                   key=f"evaluation-open:{cycle.id}:{person.id}")
        audit.record("evaluation.cycle_opened", cycle, after=audit.snapshot(cycle, CYCLE_FIELDS),
                     summary=f"开启 {year} 年度综合评价（{len(people)} 人）", unit_id=actor.unit_id)
    return cycle


def _selection(actor, person_ids, errors: dict) -> list[Person]:
    """The ticked people: each visible to the actor and an active trainee, else a clear error."""
    people = [db.session.get(Person, pid) for pid in dict.fromkeys(person_ids)]
    if not people:
        errors["unit_ids"] = ["请先在人员名单中勾选要参加考评的人员。"]
    elif any(p is None or not policy.can(actor, "person.view", p) for p in people):
        errors["unit_ids"] = ["所选人员不存在或不在您的管理范围内。"]
    else:
        others = [p.name for p in people if p.position is not Position.ASSISTANT or p.status is not PersonStatus.ACTIVE]
        if others:
            errors["unit_ids"] = [f"{'、'.join(others[:3])} 不是在培的检察官助理，不能参加考评。"]
    return [p for p in people if p is not None]


def _primary_mentors(person_ids) -> dict:
    from trainee.mentoring.models import AssignmentKind, MentorAssignment

    if not person_ids:
        return {}
    rows = db.session.execute(select(MentorAssignment.trainee_id, MentorAssignment.mentor_id).where(
        MentorAssignment.trainee_id.in_(person_ids), MentorAssignment.kind == AssignmentKind.PRIMARY,
        MentorAssignment.end_date.is_(None)))
    return dict(rows.all())


def _open(cycle):
    if cycle.locked:
        raise DomainError("该年度考评已定档锁定，不能再修改。")


def submit_summary(actor, evaluation: Evaluation, text: str) -> Evaluation:
    policy.require(actor, "evaluation.summary", evaluation)
    _open(evaluation.cycle)
    text = (text or "").strip()
    minimum = evaluation.cycle.summary_min_length
    if _text_length(text) < minimum:
        raise ValidationFailed(f"述职不少于 {minimum} 字（不计空白），当前 {_text_length(text)} 字。",
                               {"text": [f"述职不少于 {minimum} 字。"]})
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"述职不超过 {MAX_TEXT} 个字符。", {"text": [f"不超过 {MAX_TEXT} 个字符。"]})
    before = audit.snapshot(evaluation, EVAL_FIELDS)
    with transaction():
        first = evaluation.summary_submitted_at is None
        evaluation.self_summary, evaluation.summary_submitted_at = text, utcnow()
        db.session.flush()
        audit.record("evaluation.summary_submitted", evaluation, before=before,
                     after=audit.snapshot(evaluation, EVAL_FIELDS), unit_id=evaluation.unit_id,
                     summary=f"{evaluation.person.name} 提交 {evaluation.cycle.year} 年度述职")
        if first and evaluation.mentor is not None:
            notify(evaluation.mentor, "evaluation", f"{evaluation.person.name} 已提交 {evaluation.cycle.year} 年度述职，请评分。",
                   link=f"/evaluation/{evaluation.id}")
    return evaluation


def _score(value, field) -> int:
    if isinstance(value, str):
        value = as_int(value.strip(), 0, 100, default=value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationFailed("分数须为 0–100 的整数。", {field: ["分数须为 0–100 的整数。"]})
    return value


def mentor_score(actor, evaluation: Evaluation, score, comment: str) -> Evaluation:
    policy.require(actor, "evaluation.mentor_score", evaluation)
    _open(evaluation.cycle)
    if evaluation.summary_submitted_at is None:
        raise DomainError("本人尚未提交述职，暂不能评分。")
    score = _score(score, "score")
    comment = (comment or "").strip()
    if _text_length(comment) < 10 or len(comment) > 2000:
        raise ValidationFailed("导师评语须为 10–2000 字。", {"comment": ["导师评语须为 10–2000 字。"]})
    before = audit.snapshot(evaluation, EVAL_FIELDS)
    with transaction():
        evaluation.mentor_score, evaluation.mentor_comment = score, comment
        evaluation.mentor_scored_at, evaluation.mentor_scored_by_id = utcnow(), actor.id
        db.session.flush()
        audit.record("evaluation.mentor_scored", evaluation, before=before, after=audit.snapshot(evaluation, EVAL_FIELDS),
                     summary=f"导师为 {evaluation.person.name} 评分 {score}", unit_id=evaluation.unit_id)
    return evaluation


def dept_score(actor, evaluation: Evaluation, score) -> Evaluation:
    policy.require(actor, "evaluation.dept_score", evaluation)
    _open(evaluation.cycle)
    score = _score(score, "score")
    before = audit.snapshot(evaluation, EVAL_FIELDS)
    with transaction():
        evaluation.dept_score, evaluation.dept_scored_at, evaluation.dept_scored_by_id = score, utcnow(), actor.id
        db.session.flush()
        audit.record("evaluation.dept_scored", evaluation, before=before, after=audit.snapshot(evaluation, EVAL_FIELDS),
                     summary=f"部门为 {evaluation.person.name} 评分 {score}", unit_id=evaluation.unit_id)
    return evaluation


# --- figures, proposal, grades ------------------------------------------------------------------

@dataclass
class Row:
    evaluation: Evaluation
    id: int
    cohort: tuple
    points: Decimal
    quant: Decimal | None
    composite: Decimal | None
    veto: bool
    veto_text: str | None
    missing: list


def figures(cycle: EvaluationCycle) -> list[Row]:
    """Live figures of every evaluation (frozen ones once finalised), best composite first."""
    evaluations = cycle.evaluations
    if cycle.locked:
        rows = [Row(e, e.id, _cohort(cycle, e), Decimal(e.points_total or 0), e.quant_score, e.composite, e.veto,
                    None, []) for e in evaluations]
    else:
        totals = year_totals([e.person_id for e in evaluations], cycle.year)
        quant = {}
        for members in scoring.group_by(evaluations, lambda e: _cohort(cycle, e)).values():
            quant.update(scoring.percentiles({e.id: totals[e.person_id] for e in members}))
        rows = []
        for e in evaluations:
            vetoes = veto_items(e.person_id, cycle.year)
            weights = (cycle.weight_quant, cycle.weight_mentor, cycle.weight_dept)
            missing = [label for label, done in (("述职", e.summary_submitted_at), ("导师评分", e.mentor_score is not None),
                                                 ("部门评分", e.dept_score is not None)) if not done]
            rows.append(Row(e, e.id, _cohort(cycle, e), totals[e.person_id], quant.get(e.id),
                            scoring.composite(quant.get(e.id), e.mentor_score, e.dept_score, weights), bool(vetoes),
                            "、".join(sorted({v.item_name for v in vetoes})) or None, missing))
    rows.sort(key=lambda r: (r.composite is None, -(r.composite or 0), r.evaluation.person.name))
    return rows


def _cohort(cycle, evaluation) -> tuple:
    unit = evaluation.unit_id if cycle.cohort_basis is CohortBasis.UNIT else None
    return (evaluation.stage_code or "", unit)


def cohort_label(cycle, cohort: tuple) -> str:
    stage, unit_id = cohort
    from trainee.training.models import Stage

    stage_name = db.session.execute(select(Stage.name).where(Stage.code == stage)).scalar() or "未定阶段"
    if unit_id is None:
        return f"{stage_name}（全部范围）"
    return f"{db.session.get(Unit, unit_id).short_name} · {stage_name}"


def assign_grades(actor, cycle: EvaluationCycle, grades: dict) -> int:
    """grades {evaluation id: Grade or None}. Enforces the veto and the 优秀 quota of each cohort."""
    policy.require(actor, "evaluation.manage", cycle)
    _open(cycle)
    rows = {r.id: r for r in figures(cycle)}
    errors, changed = {}, 0
    wanted = {eid: g for eid, g in grades.items() if eid in rows}
    for eid, grade in wanted.items():
        row = rows[eid]
        if grade is not None and row.composite is None:
            errors[f"grade_{eid}"] = [f"{row.evaluation.person.name}：评分尚未完成（缺{'、'.join(row.missing)}），不能定等次。"]
        if grade is Grade.EXCELLENT and row.veto:
            errors[f"grade_{eid}"] = [f"{row.evaluation.person.name}：{cycle.year} 年度有一票否决事项（{row.veto_text}），不能评为优秀。"]
    final = {r.id: wanted.get(r.id, r.evaluation.grade) for r in rows.values()}
    for cohort, members in scoring.group_by(rows.values(), lambda r: r.cohort).items():
        places = scoring.quota(len(members), cycle.excellent_quota_pct)
        chosen = [r for r in members if final[r.id] is Grade.EXCELLENT]
        if len(chosen) > places:
            for r in chosen:
                if r.id in wanted:
                    errors.setdefault(f"grade_{r.id}", []).append(
                        f"{cohort_label(cycle, cohort)} 共 {len(members)} 人，优秀名额 {places} 个"
                        f"（{cycle.excellent_quota_pct}%，向下取整），已选 {len(chosen)} 人。")
    if errors:
        raise ValidationFailed("等次未保存：" + "；".join(m for ms in errors.values() for m in ms[:1]), errors)
    with transaction():
        for eid, grade in wanted.items():
            evaluation = rows[eid].evaluation
            if evaluation.grade is grade:
                continue
            before = audit.snapshot(evaluation, EVAL_FIELDS)
            evaluation.grade, evaluation.graded_at, evaluation.graded_by_id = grade, utcnow(), actor.id
            db.session.flush()
            audit.record("evaluation.graded", evaluation, before=before, after=audit.snapshot(evaluation, EVAL_FIELDS),
                         summary=f"{evaluation.person.name} 拟定等次：{GRADE_ZH[grade.name] if grade else '未定'}",
                         unit_id=evaluation.unit_id)
            changed += 1
    return changed


def finalise(actor, cycle: EvaluationCycle) -> EvaluationCycle:
    policy.require(actor, "evaluation.manage", cycle)
    _open(cycle)
    rows = figures(cycle)
    ungraded = [r.evaluation.person.name for r in rows if r.evaluation.grade is None]
    if ungraded:
        shown = "、".join(ungraded[:10]) + ("等" if len(ungraded) > 10 else "")
        raise DomainError(f"还有 {len(ungraded)} 人未定等次（{shown}），不能定档。")
    vetoed = [r for r in rows if r.veto and r.evaluation.grade is Grade.EXCELLENT]
    if vetoed:
        raise DomainError(f"{vetoed[0].evaluation.person.name} 有一票否决事项，不能评为优秀。")
    before = audit.snapshot(cycle, CYCLE_FIELDS)
    with transaction():
        for row in rows:
            e = row.evaluation
            e.points_total, e.quant_score, e.composite, e.veto = row.points, row.quant, row.composite, row.veto
            notify(e.person, "evaluation", f"{cycle.year} 年度综合评价已定档：{GRADE_ZH[e.grade.name]}。", link=f"/evaluation/{e.id}",
                   key=f"evaluation-final:{cycle.id}:{e.person_id}")
        cycle.status, cycle.finalised_at, cycle.finalised_by_id = CycleStatus.FINALISED, utcnow(), actor.id
        db.session.flush()
        audit.record("evaluation.cycle_finalised", cycle, before=before, after=audit.snapshot(cycle, CYCLE_FIELDS),
                     summary=f"{cycle.year} 年度综合评价定档（{len(rows)} 人）", unit_id=cycle.owner_unit_id)
    return cycle


def results_for(person_id: int) -> list[Evaluation]:
    """Finalised annual results of a person, newest first (for promotion and the dossier)."""
    return db.session.execute(select(Evaluation).join(EvaluationCycle).where(
        Evaluation.person_id == person_id, EvaluationCycle.status == CycleStatus.FINALISED)
        .order_by(EvaluationCycle.year.desc())).scalars().all()


# --- quarterly ----------------------------------------------------------------------------------

def save_quarter_comment(actor, person, year: int, quarter: int, text: str) -> QuarterComment:
    policy.require(actor, "quarterly.comment", person)
    text = (text or "").strip()
    if _text_length(text) < 10 or len(text) > 2000:
        raise ValidationFailed("带教评语须为 10–2000 字。", {"text": ["带教评语须为 10–2000 字。"]})
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= local_today().year:
        raise ValidationFailed("季度无效。")
    comment = db.session.execute(select(QuarterComment).where(
        QuarterComment.person_id == person.id, QuarterComment.year == year, QuarterComment.quarter == quarter)
    ).scalar_one_or_none()
    before = audit.snapshot(comment, ("text",)) if comment else None
    with transaction():
        if comment is None:
            comment = QuarterComment(person_id=person.id, year=year, quarter=quarter, mentor_id=actor.person_id, text=text)
            db.session.add(comment)
        else:
            comment.text, comment.mentor_id, comment.written_at, comment.read_at = text, actor.person_id, utcnow(), None
        db.session.flush()
        audit.record("evaluation.quarter_comment", comment, before=before, after={"text": text},
                     summary=f"{year} 年第 {quarter} 季度带教评语：{person.name}", unit_id=person.unit_id)
        notify(person, "quarter_comment", f"导师写了 {year} 年第 {quarter} 季度带教评语。",
               link=f"/evaluation/quarterly/people/{person.id}?year={year}&quarter={quarter}")
    return comment
