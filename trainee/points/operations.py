"""Changes in the points feature: new rule versions, negative items, appeals and decisions.

Each checks permission, validates, writes (ledger included), audits and commits in one transaction.
"""
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from trainee import audit, policy
from trainee.core.dimensions import Dimension
from trainee.core.errors import DomainError, ValidationFailed
from trainee.core.ops import transaction
from trainee.core.time import local_today, utcnow
from trainee.extensions import db
from trainee.notifications import notify
from trainee.points import ledger
from trainee.points.models import (
    APPEAL_DAYS,
    ActivityRule,
    AwardRule,
    ChecklistRule,
    NegativeRecord,
    NegativeRule,
    NegativeStatus,
    RuleSet,
    SourceType,
)
from trainee.points.rules import RuleBook

NEGATIVE_FIELDS = ("person_id", "item_code", "deduction", "veto", "occurred_on", "reason", "evidence", "status",
                   "appeal_statement", "decision_comment")
MAX_POINTS = Decimal("1000")


# --- rule versions ------------------------------------------------------------------------------

def _decimal(value, field: str, errors: dict, *, allow_none=False, minimum=Decimal("0")) -> Decimal | None:
    if value in (None, ""):
        if allow_none:
            return None
        errors.setdefault(field, []).append("必填。")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.setdefault(field, []).append("须为数字。")
        return None
    if not number.is_finite() or number < minimum or number > MAX_POINTS or number != number.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append(f"须为 {minimum:g}–{MAX_POINTS:g} 之间、最多两位小数的数字。")
        return None
    return number


def save_rule_set(actor, base: RuleSet, data: dict) -> RuleSet:
    """Save the edited rules as a new version effective from data["effective_from"]. Past entries keep theirs.

    data: effective_from (date), note, activity {code: {points, dimension, quarter_cap, year_cap}},
    award {rule id of base: points}, checklist {category: points},
    negative {code: {name, deduction, veto, active}}, new_negative {code, name, deduction, veto} (optional).
    """
    policy.require(actor, "points.rules.edit")
    errors: dict = {}
    effective = data.get("effective_from")
    if not isinstance(effective, date):
        errors["effective_from"] = ["请填写有效的生效日期。"]
    elif db.session.execute(db.select(RuleSet.id).where(RuleSet.effective_from == effective)).first():
        errors["effective_from"] = ["该日期已有一个规则版本，请换一个生效日期。"]
    elif effective < date(2000, 1, 2):
        errors["effective_from"] = ["生效日期无效。"]
    note = (data.get("note") or "").strip()
    if not note:
        errors["note"] = ["请说明本次修订的内容和依据。"]
    elif len(note) > 300:
        errors["note"] = ["不超过 300 个字符。"]
    version = RuleSet(version=(db.session.execute(db.select(db.func.max(RuleSet.version))).scalar() or 0) + 1,
                      effective_from=effective, note=note, created_by_id=actor.id)
    for rule in base.activity_rules:
        values = data.get("activity", {}).get(rule.type_code, {})
        prefix = f"act_{rule.type_code}_"
        dim = values.get("dimension", rule.dimension.name)
        if dim not in Dimension.__members__:
            errors.setdefault(prefix + "dimension", []).append("维度无效。")
            dim = rule.dimension.name
        version.activity_rules.append(ActivityRule(
            type_code=rule.type_code, name=rule.name, order=rule.order, dimension=Dimension[dim],
            points=_decimal(values.get("points", rule.points), prefix + "points", errors),
            quarter_cap=_decimal(values.get("quarter_cap", rule.quarter_cap), prefix + "quarter_cap", errors,
                                 allow_none=True),
            year_cap=_decimal(values.get("year_cap", rule.year_cap), prefix + "year_cap", errors, allow_none=True)))
    for rule in base.award_rules:
        value = data.get("award", {}).get(rule.id, rule.points)
        version.award_rules.append(AwardRule(category=rule.category, level=rule.level, award=rule.award,
                                             dimension=rule.dimension,
                                             points=_decimal(value, f"award_{rule.id}", errors)))
    for rule in base.checklist_rules:
        value = data.get("checklist", {}).get(rule.category, rule.points)
        version.checklist_rules.append(ChecklistRule(category=rule.category, dimension=rule.dimension,
                                                     points=_decimal(value, f"chk_{rule.category}", errors)))
    for rule in base.negative_rules:
        values = data.get("negative", {}).get(rule.code, {})
        name = (values.get("name", rule.name) or "").strip()
        if not name or len(name) > 60:
            errors.setdefault(f"neg_{rule.code}_name", []).append("名称须为 1–60 个字符。")
        version.negative_rules.append(NegativeRule(
            code=rule.code, name=name[:60], order=rule.order, dimension=rule.dimension,
            deduction=_decimal(values.get("deduction", rule.deduction), f"neg_{rule.code}_deduction", errors),
            veto=bool(values.get("veto", rule.veto)), active=bool(values.get("active", rule.active))))
    new = data.get("new_negative") or {}
    if (new.get("name") or "").strip():
        name = new["name"].strip()
        codes = {r.code for r in base.negative_rules}
        code = f"NEG{len(codes) + 1:02d}"
        while code in codes:
            code += "X"
        if len(name) > 60:
            errors.setdefault("new_name", []).append("名称不超过 60 个字符。")
        if name in {r.name for r in base.negative_rules}:
            errors.setdefault("new_name", []).append("负面清单中已有同名事项。")
        version.negative_rules.append(NegativeRule(
            code=code, name=name[:60], order=len(codes) + 1, dimension=Dimension.D2,
            deduction=_decimal(new.get("deduction"), "new_deduction", errors), veto=bool(new.get("veto"))))
    if errors:
        raise ValidationFailed("规则有误，未保存。请按提示修改。", errors)
    with transaction():
        db.session.add(version)
        db.session.flush()
        audit.record("points.rules.saved", version, after={"version": version.version,
                                                           "effective_from": effective.isoformat(), "note": note},
                     summary=f"保存积分规则 v{version.version}（{effective.isoformat()} 起生效）", unit_id=actor.unit_id)
    return version


# --- negative items -----------------------------------------------------------------------------

def record_negative(actor, person, *, item_code: str, occurred_on, reason: str, evidence: str) -> NegativeRecord:
    policy.require(actor, "negative.record", person)
    errors: dict = {}
    today = local_today()
    book = RuleBook()
    if not isinstance(occurred_on, date):
        errors["occurred_on"] = ["请填写有效的日期。"]
    elif occurred_on > today:
        errors["occurred_on"] = ["发生日期不能晚于今天。"]
    elif occurred_on < today - timedelta(days=730):
        errors["occurred_on"] = ["只能记录两年内发生的事项。"]
    day = occurred_on if isinstance(occurred_on, date) else today
    rule_set = book.version_on(day)
    item = next((r for r in rule_set.negative_rules if r.code == item_code), None) if rule_set else None
    if item is None or not item.active:
        errors["item_code"] = ["请选择负面清单中现行有效的事项。"]
    reason, evidence = (reason or "").strip(), (evidence or "").strip()
    if len(reason) < 5:
        errors["reason"] = ["请写明事由（至少 5 个字）。"]
    elif len(reason) > 2000:
        errors["reason"] = ["事由不超过 2000 个字符。"]
    if not evidence:
        errors["evidence"] = ["请说明证据材料（如评查通报文号、案卡截图编号）。"]
    elif len(evidence) > 500:
        errors["evidence"] = ["证据说明不超过 500 个字符。"]
    if errors:
        raise ValidationFailed("负面清单事项未记录，请按提示修改。", errors)
    record = NegativeRecord(person_id=person.id, rule_set_id=rule_set.id, item_code=item.code, item_name=item.name,
                            deduction=item.deduction, dimension=item.dimension, veto=item.veto, occurred_on=day,
                            reason=reason, evidence=evidence, recorded_by_id=actor.id,
                            appeal_deadline=today + timedelta(days=APPEAL_DAYS))
    with transaction():
        db.session.add(record)
        db.session.flush()
        ledger.award(person, SourceType.NEGATIVE, record.id, rule_key=item.code, occurred_on=day,
                     note=f"负面清单：{item.name}", actor=actor, rulebook=book)
        audit.record("negative.recorded", record, after=audit.snapshot(record, NEGATIVE_FIELDS),
                     summary=f"为 {person.name} 记录负面清单事项：{item.name}", unit_id=person.unit_id)
        veto_text = "（一票否决：本年度不能评为优秀、不能晋阶）" if item.veto else ""
        notify(person, "negative", f"您被记录负面清单事项“{item.name}”{veto_text}。如有异议，请于 "
               f"{record.appeal_deadline.isoformat()} 前提出申诉。", link=f"/points/negative/{record.id}")
    return record


def appeal_negative(actor, record: NegativeRecord, statement: str) -> NegativeRecord:
    policy.require(actor, "negative.appeal", record)
    if record.status is not NegativeStatus.RECORDED:
        raise DomainError("该事项已申诉或已处理，不能再次申诉。")
    if local_today() > record.appeal_deadline:
        raise DomainError(f"申诉期已过（截止 {record.appeal_deadline.isoformat()}），不能再申诉。")
    statement = (statement or "").strip()
    if len(statement) < 10:
        raise ValidationFailed("请写明申诉理由（至少 10 个字）。", {"statement": ["请写明申诉理由（至少 10 个字）。"]})
    if len(statement) > 2000:
        raise ValidationFailed("申诉理由不超过 2000 个字符。", {"statement": ["不超过 2000 个字符。"]})
    before = audit.snapshot(record, NEGATIVE_FIELDS)
    with transaction():
        record.status, record.appeal_statement, record.appealed_at = NegativeStatus.APPEALED, statement, utcnow()
        db.session.flush()
        audit.record("negative.appealed", record, before=before, after=audit.snapshot(record, NEGATIVE_FIELDS),
                     summary=f"{record.person.name} 对“{record.item_name}”提出申诉", unit_id=record.person.unit_id)
        _notify_hr(record, f"{record.person.name} 对负面清单事项“{record.item_name}”提出申诉，请处理。")
    return record


def _notify_hr(record, text):
    from trainee.auth.models import Role, User, UserRole
    from trainee.org.models import Unit

    hr_users = db.session.execute(db.select(User).join(UserRole).join(Unit, User.unit_id == Unit.id).where(
        UserRole.role == Role.HR, User.active.is_(True))).scalars().all()
    for user in hr_users:
        if policy.in_unit_scope(user, record.person.unit):
            notify(user, "negative_appeal", text, link=f"/points/negative/{record.id}")


def decide_appeal(actor, record: NegativeRecord, *, uphold: bool, comment: str) -> NegativeRecord:
    policy.require(actor, "negative.decide", record)
    if record.status is not NegativeStatus.APPEALED:
        raise DomainError("只有申诉中的事项才能作出处理决定。")
    comment = (comment or "").strip()
    if len(comment) < 2:
        raise ValidationFailed("请写明处理意见。", {"comment": ["请写明处理意见。"]})
    if len(comment) > 2000:
        raise ValidationFailed("处理意见不超过 2000 个字符。", {"comment": ["不超过 2000 个字符。"]})
    before = audit.snapshot(record, NEGATIVE_FIELDS)
    with transaction():
        record.status = NegativeStatus.UPHELD if uphold else NegativeStatus.REVOKED
        record.decision_comment, record.decided_by_id, record.decided_at = comment, actor.id, utcnow()
        if not uphold:
            ledger.reverse(SourceType.NEGATIVE, record.id, reason=f"申诉成立，撤销“{record.item_name}”", actor=actor)
        db.session.flush()
        audit.record("negative.decided", record, before=before, after=audit.snapshot(record, NEGATIVE_FIELDS),
                     summary=f"{'维持' if uphold else '撤销'} {record.person.name} 的负面清单事项“{record.item_name}”",
                     unit_id=record.person.unit_id)
        outcome = "申诉未获支持，维持原记录" if uphold else "申诉成立，已撤销该记录并冲销扣分"
        notify(record.person, "negative_decided", f"您对“{record.item_name}”的申诉已处理：{outcome}。",
               link=f"/points/negative/{record.id}")
    return record


# --- veto (一票否决) ------------------------------------------------------------------------------

def veto_items(person_id: int, year: int) -> list[NegativeRecord]:
    """Negative items with a veto in force for the person in that year (appealed ones still count until revoked)."""
    return db.session.execute(db.select(NegativeRecord).where(
        NegativeRecord.person_id == person_id, NegativeRecord.veto.is_(True),
        NegativeRecord.status != NegativeStatus.REVOKED,
        NegativeRecord.occurred_on >= date(year, 1, 1), NegativeRecord.occurred_on <= date(year, 12, 31))
    ).scalars().all()


def veto_message(person, year: int) -> str | None:
    """A clear sentence when a veto blocks 优秀 and promotion in `year`, else None."""
    items = veto_items(person.id if hasattr(person, "id") else person, year)
    if not items:
        return None
    names = "、".join(sorted({i.item_name for i in items}))
    return f"{year} 年度有一票否决事项（{names}）：不能评为优秀，不能晋阶。"


def promotion_blocker(person, on_date: date | None = None) -> str | None:
    """For the progress engine's promotion checks: a veto in the current year blocks promotion."""
    return veto_message(person, (on_date or local_today()).year)
