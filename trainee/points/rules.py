"""The point rules: default version, and the RuleBook that answers "what does this earn on that day".

The same RuleBook is used when an approval writes an entry and when `points recalc` re-derives
entries, so the two can never disagree.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from trainee.core.dimensions import Dimension
from trainee.extensions import db
from trainee.points.models import (
    ActivityRule,
    Award,
    AwardCategory,
    AwardRule,
    ChecklistRule,
    Level,
    NegativeRule,
    RuleSet,
    SourceType,
)
from trainee.reference import loader

FIRST_EFFECTIVE = date(2000, 1, 1)

# Competition matrix: level -> points for 特等/一等/二等/三等/优秀/入围/参与.
COMPETITION_MATRIX = {
    "NATIONAL": ["25", "20", "15", "10", "6", "4", "2"],
    "PROVINCE": ["12", "10", "8", "6", "4", "2", "1"],
    "CITY": ["6", "5", "4", "3", "2", "1", "0.5"],
    "UNIT": ["3", "2", "1.5", "1", "0.5", "0.5", "0"],
}
HONOURS = {  # category -> {level: points}
    "MODEL": {"NATIONAL": "30", "PROVINCE": "15", "CITY": "5"},       # 检察业务标兵
    "EXPERT": {"NATIONAL": "20", "PROVINCE": "10", "CITY": "4"},      # 业务能手
    "TALENT_POOL": {"NATIONAL": "15", "PROVINCE": "8"},               # 检察专业人才库
}
CHECKLIST = {"POLITICAL": "1", "BUSINESS": "1"}
NEGATIVE = [  # code, name, deduction, veto
    ("CARD_ERROR", "案卡填录错误", "1", False), ("DOC_FLAW", "文书质量瑕疵", "2", False),
    ("OVERDUE", "办案超期", "3", False), ("REVIEW_MINOR", "评查一般瑕疵", "2", False),
    ("REVIEW_MAJOR", "评查重大瑕疵", "5", False), ("DISCIPLINE", "违反工作纪律", "5", False),
    ("THREE_RULES", "违反“三个规定”", "0", True),
]
CHECKLIST_LABELS = {"POLITICAL": "政治必研", "BUSINESS": "业务必学"}
# Plain Chinese names for texts stored in the ledger (lazy labels need a request; stored text must not).
LEVEL_ZH = {"UNIT": "院级", "CITY": "市级", "PROVINCE": "省级", "NATIONAL": "全国"}
AWARD_ZH = {"SPECIAL": "特等奖", "FIRST": "一等奖", "SECOND": "二等奖", "THIRD": "三等奖", "EXCELLENT": "优秀奖",
            "FINALIST": "入围", "PARTICIPANT": "参与"}
CATEGORY_ZH = {"COMPETITION": "竞赛评选", "MODEL": "检察业务标兵", "EXPERT": "业务能手", "TALENT_POOL": "检察专业人才库"}


@loader(order=40)
def load_default_rules() -> None:
    """Version 1 of the rules, from the activity types and the brief. Later versions belong to the admin."""
    from trainee.activities.models import ActivityType

    if db.session.execute(db.select(RuleSet.id).limit(1)).first():
        return
    rule_set = RuleSet(version=1, effective_from=FIRST_EFFECTIVE, note="初始规则（按培养方案默认值）")
    types = db.session.execute(db.select(ActivityType).order_by(ActivityType.order)).scalars().all()
    for t in types:
        rule_set.activity_rules.append(ActivityRule(type_code=t.code, name=t.name, points=t.default_points,
                                                    dimension=t.dimension, quarter_cap=t.quarter_cap,
                                                    order=t.order))
    for level, values in COMPETITION_MATRIX.items():
        for award, points in zip(Award, values, strict=True):
            rule_set.award_rules.append(AwardRule(category=AwardCategory.COMPETITION, level=Level[level],
                                                  award=award.name, points=Decimal(points)))
    for category, levels in HONOURS.items():
        for level, points in levels.items():
            rule_set.award_rules.append(AwardRule(category=AwardCategory[category], level=Level[level], award="",
                                                  points=Decimal(points)))
    for category, points in CHECKLIST.items():
        rule_set.checklist_rules.append(ChecklistRule(category=category, points=Decimal(points)))
    for order, (code, name, deduction, veto) in enumerate(NEGATIVE, start=1):
        rule_set.negative_rules.append(NegativeRule(code=code, name=name, deduction=Decimal(deduction),
                                                    veto=veto, order=order))
    db.session.add(rule_set)
    db.session.flush()


@dataclass(frozen=True)
class Rule:
    """What one source earns under one rule version."""
    rule_set_id: int
    key: str
    label: str
    dimension: Dimension
    points: Decimal
    quarter_cap: Decimal | None = None
    year_cap: Decimal | None = None
    veto: bool = False


class RuleBook:
    """Every rule version in memory, answering by date. Build once per request or per recalculation."""

    def __init__(self):
        sets = db.session.execute(db.select(RuleSet).order_by(RuleSet.effective_from)).scalars().all()
        self.versions = [(s.effective_from, s) for s in sets]
        self._index = {}
        for _day, s in self.versions:
            table = {}
            for r in s.activity_rules:
                table[(SourceType.ACTIVITY, r.type_code)] = Rule(s.id, r.type_code, r.name, r.dimension, r.points,
                                                                 r.quarter_cap, r.year_cap)
            for r in s.award_rules:
                source, key, label = award_key(r.category, r.level, r.award)
                table[(source, key)] = Rule(s.id, key, label, r.dimension, r.points)
            for r in s.checklist_rules:
                table[(SourceType.CHECKLIST, r.category)] = Rule(s.id, r.category, CHECKLIST_LABELS.get(r.category, r.category),
                                                                 r.dimension, r.points)
            for r in s.negative_rules:
                table[(SourceType.NEGATIVE, r.code)] = Rule(s.id, r.code, r.name, r.dimension, -r.deduction,
                                                            veto=r.veto)
            self._index[s.id] = table

    def version_on(self, day: date) -> RuleSet | None:
        current = None
        for effective, rule_set in self.versions:
            if effective <= day:
                current = rule_set
        return current or (self.versions[0][1] if self.versions else None)

    def rule(self, source_type: SourceType, key: str, day: date) -> Rule | None:
        rule_set = self.version_on(day)
        if rule_set is None:
            return None
        return self._index[rule_set.id].get((source_type, key))


def award_key(category: AwardCategory, level: Level, award: str = "") -> tuple[SourceType, str, str]:
    """(source type, rule key, label) of a matrix cell."""
    level_zh = LEVEL_ZH[level.name]
    if category is AwardCategory.COMPETITION:
        return SourceType.COMPETITION, f"{level.name}:{award}", f"{level_zh}{AWARD_ZH.get(award, award)}"
    if category is AwardCategory.TALENT_POOL:
        return SourceType.TALENT_POOL, level.name, f"{level_zh}{CATEGORY_ZH[category.name]}"
    return SourceType.HONOUR, f"{category.name}:{level.name}", f"{level_zh}{CATEGORY_ZH[category.name]}"


def current_rule_set(day: date | None = None) -> RuleSet | None:
    from trainee.core.time import local_today

    return RuleBook().version_on(day or local_today())
