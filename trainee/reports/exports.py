"""Exports to .xlsx: each is a column spec plus a query, written by the one sheet writer (sheets.py)."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from trainee import policy
from trainee.extensions import db
from trainee.org.models import Person, PersonStatus, Position
from trainee.org.queries import PeopleFilter, current_mentors, current_stages, ordered, people_query
from trainee.reports.sheets import SheetColumn, write_workbook

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
