"""Default activity types of the brief: code, name, points, dimension, cap per quarter."""
from decimal import Decimal

from trainee.activities.models import ActivityType
from trainee.core.dimensions import Dimension
from trainee.extensions import db
from trainee.reference import loader

TYPES = [
    ("ASSIST_CASE", "协助办案", "1", "D1", "30"), ("SIMPLE_CASE", "简单案件(指导下办理)", "3", "D1", None),
    ("ORDINARY_CASE", "普通案件独立办理", "5", "D1", None), ("MAJOR_CASE", "参与重大疑难复杂案件", "5", "D1", None),
    ("DOC_DRAFT", "起草法律文书", "1", "D1", "20"), ("REVIEW_REPORT", "审查报告", "2", "D1", None),
    ("CASE_ANALYSIS", "案例研析", "2", "D3", None), ("CLASS_CASE", "类案分析", "5", "D3", None),
    ("SPECIAL_REPORT", "专项分析报告", "4", "D3", None), ("SUGGESTION", "检察建议", "4", "D2", None),
    ("RESEARCH", "调研报告/课题", "5", "D3", None), ("COURT", "出庭", "3", "D1", None),
    ("GUIDE_INVESTIGATION", "引导侦查", "3", "D1", None), ("HEARING", "听证/评议观摩", "1", "D3", None),
    ("COMMUNITY_CORRECTION", "社区矫正巡回", "1", "D1", None), ("RECEPTION", "群众接待/释法说理", "0.5", "D1", "10"),
    ("TRAINING", "参加培训", "1", "D3", None), ("TEACHING", "授课", "5", "D3", None),
    ("SHARING", "经验交流", "2", "D3", None), ("MENTORING", "传帮带", "5", "D4", None),
]


@loader(order=20)
def load_activity_types() -> None:
    existing = set(db.session.execute(db.select(ActivityType.code)).scalars())
    for order, (code, name, points, dimension, cap) in enumerate(TYPES, start=1):
        if code not in existing:
            db.session.add(ActivityType(code=code, name=name, default_points=Decimal(points),
                                        dimension=Dimension[dimension], order=order,
                                        quarter_cap=Decimal(cap) if cap else None))
