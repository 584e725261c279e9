"""Rich sample records for one trainee: for the dossier benchmark and tests (never for production data).

Writes approved activities over the last `years` years with Core bulk inserts, so a three-year record
of ~600 entries takes a fraction of a second.
"""
import random
from datetime import timedelta

from trainee.bulk import insert_many
from trainee.core.time import local_today, utcnow
from trainee.extensions import db

TITLES = {
    "ASSIST_CASE": "协助办理{}盗窃案", "SIMPLE_CASE": "指导下办理{}危险驾驶案", "ORDINARY_CASE": "独立办理{}诈骗案",
    "MAJOR_CASE": "参与办理{}涉众型非法集资案", "DOC_DRAFT": "起草{}起诉书", "REVIEW_REPORT": "{}审查报告",
    "CASE_ANALYSIS": "{}案例研析：正当防卫的认定", "CLASS_CASE": "{}类案分析：帮信罪证据标准",
    "SPECIAL_REPORT": "{}专项分析：未成年人犯罪态势", "SUGGESTION": "{}检察建议：校园周边安全治理",
    "RESEARCH": "{}调研：认罪认罚从宽制度适用", "COURT": "出庭支持公诉（{}）", "GUIDE_INVESTIGATION": "引导侦查（{}）",
    "HEARING": "公开听证观摩（{}）", "COMMUNITY_CORRECTION": "社区矫正巡回检察（{}）", "RECEPTION": "群众来访接待（{}）",
    "TRAINING": "参加{}业务培训", "TEACHING": "为新入职助理授课（{}）", "SHARING": "{}经验交流发言",
    "MENTORING": "带教新入职助理（{}）",
}
WEIGHTS = {"ASSIST_CASE": 18, "DOC_DRAFT": 14, "RECEPTION": 12, "REVIEW_REPORT": 8, "SIMPLE_CASE": 8, "TRAINING": 7,
           "CASE_ANALYSIS": 5, "COURT": 5, "ORDINARY_CASE": 4, "HEARING": 4, "COMMUNITY_CORRECTION": 3,
           "GUIDE_INVESTIGATION": 3, "MAJOR_CASE": 2, "SUGGESTION": 2, "RESEARCH": 2, "SPECIAL_REPORT": 1,
           "CLASS_CASE": 1, "SHARING": 1, "TEACHING": 1}


def add_approved_activities(person, *, entries: int = 600, years: int = 3, seed: int = 7) -> int:
    from trainee.activities.models import Activity, ActivityStatus, ActivityType
    from trainee.training.models import Transition

    rng = random.Random(seed)
    types = {t.code: t.id for t in db.session.execute(db.select(ActivityType)).scalars()}
    transitions = [t.id for t in db.session.execute(db.select(Transition).order_by(Transition.order)).scalars()]
    codes, weights = zip(*[(c, w) for c, w in WEIGHTS.items() if c in types], strict=True)
    today, now = local_today(), utcnow()
    rows = []
    for index in range(entries):
        code = rng.choices(codes, weights)[0]
        day = today - timedelta(days=rng.randint(1, years * 365))
        case_no = f"潭检刑诉〔{day.year}〕{rng.randint(1, 999)}号" if code.endswith("CASE") or code == "COURT" else None
        rows.append({"person_id": person.id, "type_id": types[code], "transition_id": rng.choice(transitions),
                     "date": day, "title": TITLES[code].format(f"{day.year}年第{index % 40 + 1}号"),
                     "description": "", "case_no": case_no, "hours": rng.choice([1, 2, 2.5, 4, 8]),
                     "no_classified_confirmed": True, "status": ActivityStatus.APPROVED,
                     "reviewer_id": None, "submitted_at": now, "reviewed_at": now, "version": 1,
                     "created_at": now, "updated_at": now})
    insert_many(Activity.__table__, rows)
    db.session.commit()
    return len(rows)
