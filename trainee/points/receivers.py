"""Signal receivers: approvals elsewhere write ledger entries inside the sender's transaction.

What the receivers read from the senders (documented for the features that send them):
- activity_approved / activity_revoked: sender is an Activity (person_id, type.code, date, title, id).
- checklist_confirmed: sender has `id`, `person_id`, `category` (or `item.category`: "POLITICAL"/"BUSINESS"),
  a title (`item.title` or `title`) and the confirmation date (`confirmed_on`, else `confirmed_at`, else today).
- competition_result_recorded / competition_result_corrected: sender is a CompetitionResult (`id`, `person_id`,
  `level`, `award`, `date`, `competition.name`); the correction reverses the result's entries.
- honour_verified / honour_revoked: sender is an Honour (title 检察业务标兵 / 业务能手 earn points by level) or a
  TalentEntry (talent pool by level). Titles and levels without a rule earn nothing.
Features may instead call trainee.points.ledger.award(...) directly.
"""
from datetime import date, datetime

from trainee import signals
from trainee.core.time import local_today, to_local
from trainee.points import ledger
from trainee.points.models import SourceType


def _name(value) -> str:
    return getattr(value, "name", value) or ""


def _day(*values) -> date:
    for value in values:
        if isinstance(value, datetime):
            return to_local(value).date()
        if isinstance(value, date):
            return value
    return local_today()


@signals.activity_approved.connect
def on_activity_approved(activity, actor=None, **_kw):
    ledger.award(activity.person_id, SourceType.ACTIVITY, activity.id, rule_key=activity.type.code,
                 occurred_on=activity.date, note=f"{activity.type.name}：{activity.title}", actor=actor)


@signals.activity_revoked.connect
def on_activity_revoked(activity, actor=None, reason="", **_kw):
    ledger.reverse(SourceType.ACTIVITY, activity.id, reason=reason or "工作记录被撤销", actor=actor)


@signals.checklist_confirmed.connect
def on_checklist_confirmed(sender, actor=None, **_kw):
    item = getattr(sender, "item", None)
    category = _name(getattr(sender, "category", None) or getattr(item, "category", None))
    title = getattr(item, "title", None) or getattr(sender, "title", "") or ""
    day = _day(getattr(sender, "confirmed_on", None), getattr(sender, "confirmed_at", None))
    ledger.award(sender.person_id, SourceType.CHECKLIST, sender.id, rule_key=category, occurred_on=day,
                 note=f"双学清单：{title}", actor=actor)


AWARD_ALIASES = {"EXCELLENCE": "EXCELLENT", "PARTICIPATION": "PARTICIPANT"}  # competitions' names → rule keys
HONOUR_CATEGORIES = {"检察业务标兵": "MODEL", "业务能手": "EXPERT"}  # honour titles that earn points


def _award_if_ruled(person_id, source_type, source_id, key, day, note, actor):
    """Write the entry when the rules have this key; honours and awards without a rule earn nothing."""
    from trainee.points.rules import RuleBook

    book = RuleBook()
    if book.rule(source_type, key, day) is None:
        return None
    return ledger.award(person_id, source_type, source_id, rule_key=key, occurred_on=day, note=note, actor=actor,
                        rulebook=book)


@signals.competition_result_recorded.connect
def on_competition_result(result, actor=None, **_kw):
    people = getattr(result, "person_ids", None) or [result.person_id]
    competition = getattr(result, "competition", None)
    title = getattr(competition, "name", None) or getattr(result, "title", "") or ""
    level = _name(getattr(result, "level", None) or getattr(competition, "level", None))
    award = _name(result.award)
    day = _day(getattr(result, "date", None), getattr(result, "awarded_on", None),
               getattr(competition, "end_date", None))
    for person_id in people:
        _award_if_ruled(person_id, SourceType.COMPETITION, result.id, f"{level}:{AWARD_ALIASES.get(award, award)}",
                        day, f"竞赛评选：{title}", actor)


@signals.competition_result_corrected.connect
def on_competition_result_corrected(result, actor=None, reason="", **_kw):
    ledger.reverse(SourceType.COMPETITION, result.id, reason=reason or "竞赛结果更正", actor=actor)


def _honour_source(record):
    if type(record).__name__ == "TalentEntry":
        return SourceType.TALENT_POOL, _name(record.level), f"人才库：{getattr(record, 'field', '')}"
    category = HONOUR_CATEGORIES.get(getattr(record, "title", ""))
    key = f"{category}:{_name(record.level)}" if category else None
    return SourceType.HONOUR, key, f"荣誉：{getattr(record, 'title', '')}"


@signals.honour_verified.connect
def on_honour_verified(record, actor=None, **_kw):
    source_type, key, note = _honour_source(record)
    if key is not None:
        _award_if_ruled(record.person_id, source_type, record.id, key, _day(getattr(record, "date", None)), note, actor)


@signals.honour_revoked.connect
def on_honour_revoked(record, actor=None, reason="", **_kw):
    source_type, _key, _note = _honour_source(record)
    ledger.reverse(source_type, record.id, reason=reason or "荣誉撤销", actor=actor)
