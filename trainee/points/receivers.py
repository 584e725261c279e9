"""Signal receivers: approvals elsewhere write ledger entries inside the sender's transaction.

What the receivers read from the senders (documented for the features that send them):
- activity_approved / activity_revoked: sender is an Activity (person_id, type.code, date, title, id).
- checklist_confirmed: sender has `id`, `person_id`, `category` (or `item.category`: "POLITICAL"/"BUSINESS"),
  a title (`item.title` or `title`) and the confirmation date (`confirmed_on`, else `confirmed_at`, else today).
- competition_result_recorded: sender is a result with `id`, `level` and `award` (enum or name), `person_ids`
  (or `person_id`), a date (`date` / `awarded_on`) and a title (`title` / `competition.name`).
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


@signals.competition_result_recorded.connect
def on_competition_result(result, actor=None, **_kw):
    people = getattr(result, "person_ids", None) or [result.person_id]
    competition = getattr(result, "competition", None)
    title = getattr(result, "title", None) or getattr(competition, "name", "") or ""
    level = _name(getattr(result, "level", None) or getattr(competition, "level", None))
    day = _day(getattr(result, "date", None), getattr(result, "awarded_on", None),
               getattr(competition, "end_date", None))
    for person_id in people:
        ledger.award(person_id, SourceType.COMPETITION, result.id, rule_key=f"{level}:{_name(result.award)}",
                     occurred_on=day, note=f"竞赛评选：{title}", actor=actor)
