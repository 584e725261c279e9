"""The default 三阶九转 model of the brief; the admin edits it afterwards (codes stay stable)."""
from trainee.extensions import db
from trainee.reference import loader
from trainee.training.models import Requirement, RequirementKind, Stage, Transition

STAGES = [
    ("S1", "初阶", "从“理论”到“实践”", 12, "面向任职时间较短的检察官助理，夯实程序性、事务性辅助工作能力。"),
    ("S2", "中阶", "从“基础”到“专业”", 36, "面向通过初阶考核者，一般三至五年，提升实质性辅助办案能力。"),
    ("S3", "高阶", "从“骨干”到“引领”", 0, "培养独立办案所需能力，为员额检察官遴选做准备。"),
]
TRANSITIONS = [
    ("T1", "S1", "学理思维转法理思维", "将真实案件事实与法律规范对应，兼顾价值与政策判断。"),
    ("T2", "S1", "法律知识转工作规范", "岗前与业务培训；掌握基础业务知识、法律文书起草、统计与规范流程。"),
    ("T3", "S1", "理论积淀转实战淬炼", "轮岗于业务与综合部门并协助办理一定数量案件；释法说理、接待群众。"),
    ("T4", "S2", "程序事务转实质办案", "在导师带领下审查证据、认定事实、适用法律；在指导下相对独立办理简单案件。"),
    ("T5", "S2", "单一技能转复合能力", "参与重大案件、课题研究、专项分析报告、检察建议；提升写作、应变与表达能力。"),
    ("T6", "S2", "被动执行转主动规划", "以积分考核和多维评价看清长短板，选定方向，制定个人发展规划。"),
    ("T7", "S3", "辅助协助转相对独立", "按检察官标准独立办理普通案件，参与重大疑难复杂案件。"),
    ("T8", "S3", "个案办理转类案总结", "开展类案研析、引导侦查、出庭技能，解决领域共性问题。"),
    ("T9", "S3", "合格履职转创新引领", "传帮带新人；从课程参与者成为授课者与经验分享者。"),
]


def _count(types, count, label):
    return (RequirementKind.ACTIVITY_COUNT, {"types": types, "count": count}, label)


REQUIREMENTS = {
    "T1": [_count(["CASE_ANALYSIS"], 3, "案例研析 3 篇"),
           (RequirementKind.CHECKLIST, {"category": "POLITICAL", "stage": "S1"}, "初阶政治必研清单全部确认")],
    "T2": [_count(["DOC_DRAFT"], 10, "起草法律文书 10 份"), _count(["TRAINING"], 5, "参加培训 5 次"),
           (RequirementKind.CHECKLIST, {"category": "BUSINESS", "stage": "S1"}, "初阶业务必学条目全部确认")],
    "T3": [(RequirementKind.ROTATION, {"departments": 2, "months": 3}, "轮岗 2 个部门、每个不少于 3 个月"),
           _count(["ASSIST_CASE"], 30, "协助办案 30 件"), _count(["RECEPTION"], 10, "群众接待/释法说理 10 次")],
    "T4": [_count(["SIMPLE_CASE"], 10, "指导下办理简单案件 10 件"), _count(["REVIEW_REPORT"], 10, "审查报告 10 份"),
           (RequirementKind.MANUAL, {"milestone": "证据审查能力"}, "导师确认：证据审查能力")],
    "T5": [_count(["MAJOR_CASE"], 2, "参与重大疑难复杂案件 2 件"),
           _count(["RESEARCH", "SPECIAL_REPORT", "SUGGESTION"], 3, "调研报告/专项分析/检察建议 3 篇"),
           (RequirementKind.COMPETITION, {"count": 1, "min_level": "UNIT"}, "参加竞赛或评选 1 次")],
    "T6": [(RequirementKind.PLAN, {}, "个人发展规划经导师审核"),
           (RequirementKind.POINTS, {"points": 60, "dimension": None}, "中阶期间积分 60 分"),
           (RequirementKind.MANUAL, {"milestone": "完成一次年度综合评价"}, "完成一次年度综合评价")],
    "T7": [_count(["ORDINARY_CASE"], 20, "独立办理普通案件 20 件"), _count(["COURT"], 5, "出庭 5 次")],
    "T8": [_count(["CLASS_CASE"], 2, "类案分析 2 篇"), _count(["GUIDE_INVESTIGATION"], 3, "引导侦查 3 次")],
    "T9": [_count(["TEACHING"], 2, "授课 2 次"), (RequirementKind.MENTORING, {"count": 1}, "传帮带 1 名新人"),
           _count(["SHARING"], 1, "经验交流 1 次")],
}


@loader(order=10)
def load_training_model() -> None:
    stages = {s.code: s for s in db.session.execute(db.select(Stage)).scalars()}
    for order, (code, name, theme, months, description) in enumerate(STAGES, start=1):
        if code not in stages:
            stages[code] = Stage(code=code, name=name, theme=theme, min_months=months, description=description,
                                 order=order)
            db.session.add(stages[code])
    transitions = {t.code: t for t in db.session.execute(db.select(Transition)).scalars()}
    for order, (code, stage, name, aim) in enumerate(TRANSITIONS, start=1):
        if code in transitions:
            continue
        transition = Transition(code=code, stage=stages[stage], name=name, aim=aim, description=aim, order=order)
        db.session.add(transition)
        # Requirements are seeded only with a new transition: afterwards they belong to the admin.
        for index, (kind, params, label) in enumerate(REQUIREMENTS[code], start=1):
            db.session.add(Requirement(transition=transition, kind=kind, params=params, label=label, order=index))
    db.session.flush()
