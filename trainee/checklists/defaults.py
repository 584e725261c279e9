"""The 21 default items of the brief (7 政治必研, 14 业务必学) over stages 1 and 2; HR edits them afterwards."""
from datetime import date

from trainee.checklists.models import ChecklistCategory, ChecklistItem
from trainee.extensions import db
from trainee.reference import loader
from trainee.training.models import Stage

P, B = ChecklistCategory.POLITICAL, ChecklistCategory.BUSINESS
# (category, stage, title, source, minimum reflection length, due months after the stage starts)
ITEMS = [
    (P, "S1", "《习近平法治思想学习纲要》", "中央宣传部、中央全面依法治国委员会办公室", 500, 3),
    (P, "S1", "《中国共产党章程》", "中国共产党全国代表大会", 500, 3),
    (P, "S1", "《中国共产党政法工作条例》", "中共中央", 500, 6),
    (P, "S1", "《检察官职业道德基本准则》", "最高人民检察院", 500, 6),
    (P, "S2", "《中国共产党纪律处分条例》", "中共中央", 500, 6),
    (P, "S2", "防止干预司法“三个规定”", "中央政法委、最高人民法院、最高人民检察院等", 500, 6),
    (P, "S2", "《中共中央关于加强新时代检察机关法律监督工作的意见》", "中共中央", 500, 12),
    (B, "S1", "《中华人民共和国刑法》", "全国人民代表大会", 300, 6),
    (B, "S1", "《中华人民共和国刑事诉讼法》", "全国人民代表大会", 300, 6),
    (B, "S1", "《人民检察院刑事诉讼规则》", "最高人民检察院", 300, 9),
    (B, "S1", "《中华人民共和国检察官法》", "全国人民代表大会常务委员会", 300, 9),
    (B, "S1", "《中华人民共和国人民检察院组织法》", "全国人民代表大会常务委员会", 300, 9),
    (B, "S1", "《人民检察院刑事诉讼法律文书格式样本》", "最高人民检察院", 300, 12),
    (B, "S1", "《关于适用认罪认罚从宽制度的指导意见》", "最高人民法院、最高人民检察院、公安部等", 300, 12),
    (B, "S2", "《中华人民共和国民事诉讼法》", "全国人民代表大会", 300, 12),
    (B, "S2", "《人民检察院民事诉讼监督规则》", "最高人民检察院", 300, 12),
    (B, "S2", "《中华人民共和国行政诉讼法》", "全国人民代表大会", 300, 18),
    (B, "S2", "《人民检察院行政诉讼监督规则》", "最高人民检察院", 300, 18),
    (B, "S2", "《人民检察院公益诉讼办案规则》", "最高人民检察院", 300, 18),
    (B, "S2", "《检察机关案件质量主要评价指标》", "最高人民检察院", 300, 24),
    (B, "S2", "《人民检察院检察建议工作规定》", "最高人民检察院", 300, 24),
]


@loader(order=30)
def load_checklist_items() -> None:
    """Seed once, into an empty list: afterwards the items belong to HR (edited, retired, added)."""
    if db.session.execute(db.select(ChecklistItem.id).limit(1)).first():
        return
    stages = {s.code: s for s in db.session.execute(db.select(Stage)).scalars()}
    # Seeded items count as there from the start: due dates of people already in a stage run from its start.
    added_on = date(2000, 1, 1)
    for order, (category, stage, title, source, min_chars, months) in enumerate(ITEMS, start=1):
        db.session.add(ChecklistItem(category=category, stage=stages[stage], title=title, source=source,
                                     min_chars=min_chars, due_months=months, order=order, added_on=added_on))
    db.session.flush()
