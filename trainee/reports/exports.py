"""Exports to .xlsx: each is a column spec plus a query, written by the one sheet writer (sheets.py)."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from trainee import policy
from trainee.extensions import db
from trainee.org.models import Person, PersonStatus, Position
from trainee.org.queries import PeopleFilter, current_mentors, current_stages, ordered, people_query
from trainee.reports.sheets import SheetColumn, write_workbook
from trainee.training.models import Stage

MAX_EXPORT_ROWS = 50_000


def _people(user, flt: PeopleFilter):
    query = ordered(people_query(user, flt), flt).options(joinedload(Person.unit), joinedload(Person.department))
    return db.session.execute(query.limit(MAX_EXPORT_ROWS)).scalars().all()


def people_workbook(user, flt: PeopleFilter) -> bytes:
    """The people list exactly as filtered and sorted on the page, every page."""
    policy.require(user, "reports.export")
    people = _people(user, flt)
    stages, mentors = current_stages(people), current_mentors(people)
    columns = [
        SheetColumn("工号", lambda p: p.staff_no, 12),
        SheetColumn("姓名", lambda p: p.name, 10),
        SheetColumn("性别", lambda p: p.gender, 6),
        SheetColumn("单位", lambda p: p.unit.name, 26),
        SheetColumn("部门", lambda p: p.department.name if p.department else None, 16),
        SheetColumn("培养阶段", lambda p: stages[p.id].name if p.id in stages else None, 10),
        SheetColumn("带教导师", lambda p: mentors[p.id].name if p.id in mentors else None, 10),
        SheetColumn("岗位类别", lambda p: p.position, 12),
        SheetColumn("职级", lambda p: p.rank, 16),
        SheetColumn("入职日期", lambda p: p.hire_date, 12),
        SheetColumn("出生日期", lambda p: p.birth_date, 12),
        SheetColumn("学历", lambda p: p.education, 12),
        SheetColumn("毕业院校", lambda p: p.school, 18),
        SheetColumn("专业", lambda p: p.major, 12),
        SheetColumn("法律职业资格", lambda p: p.legal_qualification, 12),
        SheetColumn("状态", lambda p: p.status, 8),
    ]
    return write_workbook([("人员名单", columns, people)])


def progress_workbook(user, flt: PeopleFilter) -> bytes:
    """Progress per transition: one row per trainee, one column per transition (T1–T9)."""
    from trainee.training.models import Transition, TransitionState, TransitionStatus

    policy.require(user, "reports.export")
    flt.position = flt.position or Position.ASSISTANT.name
    flt.status = flt.status or PersonStatus.ACTIVE.name
    people = _people(user, flt)
    stages = current_stages(people)
    transitions = db.session.execute(select(Transition).order_by(Transition.order)).scalars().all()
    states = {}
    ids = [p.id for p in people]
    for chunk in range(0, len(ids), 1000):
        for state in db.session.execute(select(TransitionState).where(
                TransitionState.person_id.in_(ids[chunk:chunk + 1000]))).scalars():
            states[(state.person_id, state.transition_id)] = state

    def cell(transition):
        def value(person):
            state = states.get((person.id, transition.id))
            if state is None:
                return None
            if state.status is TransitionStatus.ACHIEVED:
                return state.decided_on
            return state.status
        return value

    columns = [SheetColumn("工号", lambda p: p.staff_no, 12), SheetColumn("姓名", lambda p: p.name, 10),
               SheetColumn("单位", lambda p: p.unit.short_name, 12),
               SheetColumn("培养阶段", lambda p: stages[p.id].name if p.id in stages else None, 10)]
    columns += [SheetColumn(f"{t.code} {t.name}", cell(t), 16) for t in transitions]
    columns.append(SheetColumn("已达成转数", lambda p: sum(
        1 for t in transitions if (s := states.get((p.id, t.id))) and s.status is TransitionStatus.ACHIEVED), 10))
    return write_workbook([("转变进度", columns, people),
                           ("说明", [SheetColumn("说明", width=80)],
                            [["各转列：已达成的显示签字确认日期；待导师确认、已退回显示状态；空白表示尚未提交。"]])])


def points_workbook(user, flt: PeopleFilter, year: int) -> bytes:
    """Points of a year per trainee: by quarter, by dimension and in total, from the maintained aggregate
    (one grouped query per 900 people), plus a long sheet (one row per person, quarter, dimension) for pivots."""
    from sqlalchemy import func

    from trainee.core.dimensions import Dimension
    from trainee.points.models import PointsTotal

    policy.require(user, "reports.export")
    flt.position = flt.position or Position.ASSISTANT.name
    flt.status = flt.status or PersonStatus.ACTIVE.name
    people = _people(user, flt)
    stages = current_stages(people)
    by_person: dict = {}  # person id -> {(quarter, dimension): points}
    ids = [p.id for p in people]
    for start in range(0, len(ids), 900):
        for pid, quarter, dimension, total in db.session.execute(
                select(PointsTotal.person_id, PointsTotal.quarter, PointsTotal.dimension, func.sum(PointsTotal.points))
                .where(PointsTotal.year == year, PointsTotal.person_id.in_(ids[start:start + 900]))
                .group_by(PointsTotal.person_id, PointsTotal.quarter, PointsTotal.dimension)):
            by_person.setdefault(pid, {})[(quarter, dimension)] = total

    def figure(quarter=None, dimension=None):
        def value(person):
            mine = by_person.get(person.id, {})
            return sum((v for (q, d), v in mine.items() if quarter in (None, q) and dimension in (None, d)), start=0)
        return value

    number = "0.##"
    columns = [SheetColumn("工号", lambda p: p.staff_no, 12), SheetColumn("姓名", lambda p: p.name, 10),
               SheetColumn("单位", lambda p: p.unit.short_name, 12),
               SheetColumn("部门", lambda p: p.department.name if p.department else None, 14),
               SheetColumn("培养阶段", lambda p: stages[p.id].name if p.id in stages else None, 10)]
    columns += [SheetColumn(f"第{q}季度", figure(quarter=q), 10, number) for q in range(1, 5)]
    columns += [SheetColumn(f"{d.name} {d.label}", figure(dimension=d.name), 12, number) for d in Dimension]
    columns.append(SheetColumn("全年合计", figure(), 10, number))
    long_rows = [[p.staff_no, p.name, year, q, f"{d} {Dimension[d].label}", v]
                 for p in people for (q, d), v in sorted(by_person.get(p.id, {}).items())]
    long_columns = [SheetColumn("工号", width=12), SheetColumn("姓名", width=10), SheetColumn("年度", width=8),
                    SheetColumn("季度", width=8), SheetColumn("维度", width=14), SheetColumn("积分", width=10,
                                                                                     number_format=number)]
    return write_workbook([(f"{year}年积分", columns, people), ("明细（透视用）", long_columns, long_rows),
                           ("说明", [SheetColumn("说明", width=80)],
                            [["积分来自积分台账的汇总表（含封顶、冲销后的结果）；本表仅供政治部和考评委员会使用，不对外公布排名。"]])])


def evaluation_workbook(user, cycle) -> bytes:
    """An annual evaluation cycle: every trainee's scores, composite, veto and grade (live until finalised)."""
    from trainee.evaluation import operations as evaluation_ops

    policy.require(user, "evaluation.manage", cycle)
    rows = evaluation_ops.figures(cycle)
    people = {e.person_id: e.person for e in cycle.evaluations}
    stage_names = dict(db.session.execute(select(Stage.code, Stage.name)).all())
    number = "0.##"
    columns = [
        SheetColumn("工号", lambda r: people[r.evaluation.person_id].staff_no, 12),
        SheetColumn("姓名", lambda r: people[r.evaluation.person_id].name, 10),
        SheetColumn("单位", lambda r: people[r.evaluation.person_id].unit.short_name, 12),
        SheetColumn("比较组", lambda r: evaluation_ops.cohort_label(cycle, r.cohort), 18),
        SheetColumn("培养阶段", lambda r: stage_names.get(r.evaluation.stage_code), 10),
        SheetColumn("带教导师", lambda r: r.evaluation.mentor.name if r.evaluation.mentor else None, 10),
        SheetColumn("述职提交时间", lambda r: r.evaluation.summary_submitted_at, 16),
        SheetColumn("年度积分", lambda r: r.points, 10, number),
        SheetColumn("积分百分位", lambda r: r.quant, 10, number),
        SheetColumn("导师评分", lambda r: r.evaluation.mentor_score, 10),
        SheetColumn("部门评分", lambda r: r.evaluation.dept_score, 10),
        SheetColumn("综合分", lambda r: r.composite, 10, number),
        SheetColumn("否决项", lambda r: r.veto_text or ("是" if r.veto else "否"), 16),
        SheetColumn("等次", lambda r: r.evaluation.grade, 10),
    ]
    state = "已定档" if cycle.locked else "进行中（分数为当前值）"
    return write_workbook([("年度综合评价", columns, rows),
                           ("说明", [SheetColumn("说明", width=80)],
                            [[f"{cycle.name}（{cycle.year} 年，{state}）；权重 积分 {cycle.weight_quant}% / 导师 "
                              f"{cycle.weight_mentor}% / 部门 {cycle.weight_dept}%；优秀比例 {cycle.excellent_quota_pct}%。"],
                             ["仅供政治部和考评委员会使用，不对外公布排名。"]])])
