"""Every state change of the progress log (工作纪实): policy → validate → mutate → audit → notify → commit.

One state machine, `MOVES`: (status, action) → the status it leads to and the policy rule that says who may
take it. Every action goes through `_take()`, so a move the table does not list is refused with a clear
message and changes nothing. Approval and revocation send `activity_approved` / `activity_revoked` inside
the transaction: the points ledger commits or rolls back together with the decision.
"""
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask import url_for

from trainee import audit, policy, signals
from trainee.activities import uploads as evidence_files
from trainee.activities.models import Activity, ActivityStatus, ActivityType, Evidence
from trainee.core import uploads
from trainee.core.errors import DomainError, NotFound, ValidationFailed
from trainee.core.ops import transaction
from trainee.core.time import local_today, utcnow
from trainee.extensions import db
from trainee.notifications import notify, reminder
from trainee.org.models import Person

S = ActivityStatus


@dataclass(frozen=True)
class Move:
    to: ActivityStatus | None  # None: the entry is gone (only a draft can be deleted)
    rule: str  # the policy rule (trainee/policy.py) deciding who may take this move
    label: str


# The whole life of an entry. Anything not listed here is refused.
MOVES: dict[tuple[ActivityStatus, str], Move] = {
    (S.DRAFT, "edit"): Move(S.DRAFT, "activity.edit", "修改"),
    (S.RETURNED, "edit"): Move(S.RETURNED, "activity.edit", "修改"),
    (S.DRAFT, "submit"): Move(S.SUBMITTED, "activity.submit", "提交审核"),
    (S.RETURNED, "submit"): Move(S.SUBMITTED, "activity.submit", "重新提交"),
    (S.SUBMITTED, "withdraw"): Move(S.DRAFT, "activity.withdraw", "撤回"),
    (S.SUBMITTED, "approve"): Move(S.APPROVED, "activity.review", "审核通过"),
    (S.SUBMITTED, "return"): Move(S.RETURNED, "activity.review", "退回修改"),
    (S.APPROVED, "revoke"): Move(S.REVOKED, "activity.revoke", "撤销"),
    (S.DRAFT, "delete"): Move(None, "activity.delete", "删除"),
}
ACTION_LABELS = {action: move.label for (_status, action), move in MOVES.items()}
ACTION_RULES = {action: move.rule for (_status, action), move in MOVES.items()}

FIELDS = ("status", "date", "type_id", "transition_id", "title", "description", "case_no", "hours",
          "no_classified_confirmed", "reviewer_id", "review_comment", "revoke_reason")
TITLE_MAX, DESCRIPTION_MAX, COMMENT_MAX, REASON_MAX, CASE_NO_MAX = 200, 5000, 1000, 300, 60
MAX_EVIDENCE = evidence_files.MAX_PER_ENTRY
EVIDENCE_AREA = evidence_files.AREA
OLDEST_YEARS = 10
BULK_MAX = 200
STALE = "已被他人修改：此记录在您打开页面后已被他人修改，请刷新查看最新内容后再操作；您填写的内容已保留。"
CASE_NO = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff〔〕（）()\[\]【】\-—_·/.、：: ]+$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class StaleVersion(DomainError):
    status = 409
    code = "conflict"


def _link(activity) -> str | None:
    try:
        return url_for("activities.detail", activity_id=activity.id)
    except RuntimeError:  # outside a request (CLI, demo)
        return f"/activities/{activity.id}"


# --- the state machine ----------------------------------------------------------------------------

def allowed_actions(user, activity: Activity) -> list[str]:
    """The moves this user may take on the entry now (for the buttons of a page)."""
    return [action for (status, action), move in MOVES.items()
            if status is activity.status and policy.can(user, move.rule, activity)]


def _take(actor, activity: Activity, action: str, version: int | None) -> Move:
    """Check a move: the entry is visible, the actor may take it, the table allows it, nobody changed it since."""
    if activity is None or not policy.can(actor, "activity.view", activity):
        raise NotFound("没有找到这条工作纪实，或您无权查看。")
    policy.require(actor, ACTION_RULES[action], activity)
    check_version(activity, version)  # acting on an outdated page: say so first, whatever it now allows
    move = MOVES.get((activity.status, action))
    if move is None:
        raise DomainError(f"这条记录当前为「{activity.status.label}」，不能{ACTION_LABELS[action]}。")
    return move


def check_version(activity: Activity, version) -> None:
    """The version the page was built from must still be the entry's: otherwise someone changed it meanwhile."""
    if version is None:
        return
    try:
        given = int(version)
    except (TypeError, ValueError):
        raise ValidationFailed("表单缺少版本信息，请刷新页面后重试。", {"version": ["无效的版本。"]}) from None
    if given != activity.version:
        raise StaleVersion(f"{STALE}（这条记录现为「{activity.status.label}」。）")


def _audit(action, activity, before, summary, actor=None):
    audit.record(f"activity.{action}", activity, before=before, after=audit.snapshot(activity, FIELDS),
                 summary=summary, unit_id=activity.person.unit_id, actor=actor)


# --- validation -----------------------------------------------------------------------------------

def _text(value, field, label, errors, *, required, max_len):
    value = CONTROL.sub("", str(value or "")).strip()
    if required and not value:
        errors[field] = [f"请填写{label}。"]
    elif len(value) > max_len:
        errors[field] = [f"{label}不超过 {max_len} 个字（现 {len(value)} 个字）。"]
    elif "<" in value or ">" in value:
        errors[field] = [f"{label}不能包含尖括号等标记字符。"]
    return value


def _date(value, person: Person, errors):
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, date):
        errors["date"] = ["请填写有效的日期（YYYY-MM-DD）。"]
        return None
    today = local_today()
    oldest = today - timedelta(days=365 * OLDEST_YEARS)
    if value > today:
        errors["date"] = ["日期不能晚于今天。"]
    elif value < oldest:
        errors["date"] = [f"日期过早：只能登记 {OLDEST_YEARS} 年内的工作。"]
    elif person.hire_date and value < person.hire_date:
        errors["date"] = [f"日期不能早于入职日期（{person.hire_date.isoformat()}）。"]
    return value


def _hours(value, errors):
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors["hours"] = ["用时须为数字（小时）。"]
        return None
    if not hours.is_finite() or hours < 0 or hours > 24:
        errors["hours"] = ["用时须在 0 至 24 小时之间。"]
        return None
    return hours.quantize(Decimal("0.1"))


def active_types() -> list[ActivityType]:
    return db.session.execute(db.select(ActivityType).where(ActivityType.active)
                              .order_by(ActivityType.order, ActivityType.id)).scalars().all()


def _type(code, errors):
    kind = None
    if code:
        column = ActivityType.id if isinstance(code, int) else ActivityType.code
        kind = db.session.execute(db.select(ActivityType).where(column == code)).scalar_one_or_none()
    if kind is None:
        errors["type"] = ["请选择工作类型。"]
    elif not kind.active:
        errors["type"] = [f"工作类型「{kind.name}」已停用，请选择其他类型。"]
    return kind


def _transition(code, errors):
    from trainee.training.models import Transition

    transition = None
    if code:
        transition = db.session.execute(db.select(Transition).where(Transition.code == str(code).upper()))\
            .scalar_one_or_none()
    if transition is None:
        errors["transition"] = ["请选择所服务的转变（T1–T9）。"]
    return transition


def clean(data: dict, person: Person) -> dict:
    """Validate an entry's fields (pages and API alike); all messages at once, keyed by field."""
    errors: dict = {}
    kind = _type(data.get("type"), errors)
    transition = _transition(data.get("transition"), errors)
    values = {
        "date": _date(data.get("date"), person, errors),
        "title": _text(data.get("title"), "title", "标题", errors, required=True, max_len=TITLE_MAX),
        "description": _text(data.get("description"), "description", "工作内容", errors, required=False,
                             max_len=DESCRIPTION_MAX),
        "case_no": _text(data.get("case_no"), "case_no", "案号", errors, required=False, max_len=CASE_NO_MAX) or None,
        "hours": _hours(data.get("hours"), errors),
        "no_classified_confirmed": bool(data.get("no_classified_confirmed")),
    }
    if values["case_no"] and "case_no" not in errors and not CASE_NO.match(values["case_no"]):
        errors["case_no"] = ["案号只能包含汉字、字母、数字和〔〕()-/ 等符号，如：潭检刑诉〔2025〕12号。"]
    if errors:
        raise ValidationFailed("请检查标出的内容：" + "；".join(m[0] for m in errors.values()), errors)
    values["type_id"], values["transition_id"] = kind.id, transition.id
    return values


# --- the owner's moves ----------------------------------------------------------------------------

def create(actor, person: Person, data: dict, *, submit: bool = False, files=None) -> Activity:
    """A new draft of the trainee's own entry, with its files (and, with `submit`, straight to the mentor)."""
    if person is None or not policy.can(actor, "person.view", person):
        raise NotFound("没有找到此人员，或您无权查看。")
    policy.require(actor, "activity.create", person)
    values = clean(data, person)
    mentor = _require_mentor(person, values) if submit else None
    checked = check_files(files, 0, confirmed=values["no_classified_confirmed"])
    stored: list[str] = []
    with _files_transaction(stored):
        activity = Activity(person_id=person.id, status=S.DRAFT, **values)
        activity.person = person
        db.session.add(activity)
        db.session.flush()
        _audit("created", activity, None, f"{person.name} 新建工作纪实「{activity.title}」", actor=actor)
        _store_files(actor, activity, checked, stored)
        if submit:
            _submit(actor, activity, mentor)
    return activity


def update(actor, activity: Activity, data: dict, *, version, submit: bool = False, files=None) -> Activity:
    """Edit a draft or a returned entry (approved ones are locked), add files; with `submit`, (re)submit it."""
    _take(actor, activity, "edit", version)
    values = clean(data, activity.person)
    mentor = None
    if submit:
        _take(actor, activity, "submit", version)
        mentor = _require_mentor(activity.person, values)
    checked = check_files(files, len(activity.evidence), confirmed=values["no_classified_confirmed"])
    before = audit.snapshot(activity, FIELDS)
    stored: list[str] = []
    with _files_transaction(stored):
        for name, value in values.items():
            setattr(activity, name, value)
        db.session.flush()
        _audit("updated", activity, before, f"修改工作纪实「{activity.title}」", actor=actor)
        _store_files(actor, activity, checked, stored)
        if submit:
            _submit(actor, activity, mentor)
    return activity


def _require_mentor(person: Person, values) -> Person:
    if not values.get("no_classified_confirmed"):
        raise ValidationFailed("提交前请确认：本记录及附件不含涉密内容。",
                               {"no_classified_confirmed": ["请确认不含涉密内容。"]})
    from trainee.mentoring.operations import current_primary

    assignment = current_primary(person)
    if assignment is None:
        raise DomainError("您目前没有带教导师，无法提交审核。请联系政治部分配导师；记录已保留为草稿。")
    return assignment.mentor


def submit(actor, activity: Activity, *, version, confirmed: bool | None = None) -> Activity:
    """Send a draft or a returned entry to the current primary mentor."""
    _take(actor, activity, "submit", version)
    ensure_still_valid(activity)
    confirmed = activity.no_classified_confirmed if confirmed is None else (confirmed or activity.no_classified_confirmed)
    mentor = _require_mentor(activity.person, {"no_classified_confirmed": confirmed})
    with transaction():
        activity.no_classified_confirmed = True
        _submit(actor, activity, mentor)
    return activity


def ensure_still_valid(activity: Activity) -> None:
    """Re-check a stored entry before it goes out (its type may have been retired meanwhile)."""
    clean({"date": activity.date, "type": activity.type_id, "transition": activity.transition.code
           if activity.transition else None, "title": activity.title, "description": activity.description,
           "case_no": activity.case_no, "hours": activity.hours}, activity.person)


def _submit(actor, activity: Activity, mentor: Person) -> None:
    before = audit.snapshot(activity, FIELDS)
    what = "重新提交" if activity.status is S.RETURNED else "提交"
    activity.status, activity.reviewer_id, activity.submitted_at = S.SUBMITTED, mentor.id, utcnow()
    activity.reviewed_at = None
    db.session.flush()
    _audit("submitted", activity, before, f"{activity.person.name} {what}工作纪实「{activity.title}」，由 {mentor.name} 审核", actor=actor)
    notify(mentor, "activity_submitted", f"{activity.person.name} {what}了工作纪实「{activity.title}」，请审核。",
           link=_link(activity))


def withdraw(actor, activity: Activity, *, version) -> Activity:
    """The trainee takes a submitted entry back to draft (before the mentor decides)."""
    _take(actor, activity, "withdraw", version)
    before = audit.snapshot(activity, FIELDS)
    reviewer = activity.reviewer
    with transaction():
        activity.status, activity.submitted_at = S.DRAFT, None
        db.session.flush()
        _audit("withdrawn", activity, before, f"{activity.person.name} 撤回工作纪实「{activity.title}」", actor=actor)
        if reviewer is not None:
            notify(reviewer, "activity_withdrawn", f"{activity.person.name} 撤回了工作纪实「{activity.title}」，无需审核。",
                   link=_link(activity))
    return activity


def delete(actor, activity: Activity, *, version) -> None:
    """Only a draft can be deleted (with its files); anything once submitted stays on record."""
    _take(actor, activity, "delete", version)
    before = audit.snapshot(activity, FIELDS)
    stored = [e.stored_name for e in activity.evidence]
    with transaction():
        audit.record("activity.deleted", activity, before=before, summary=f"删除草稿「{activity.title}」",
                     unit_id=activity.person.unit_id, actor=actor)
        for evidence in list(activity.evidence):
            db.session.delete(evidence)
        db.session.delete(activity)
    for name in stored:
        uploads.remove(EVIDENCE_AREA, name)


# --- the mentor's moves ---------------------------------------------------------------------------

def _comment(value, field, label, *, required, max_len=COMMENT_MAX) -> str | None:
    errors: dict = {}
    text = _text(value, field, label, errors, required=required, max_len=max_len)
    if errors:
        raise ValidationFailed(errors[field][0], errors)
    return text or None


def _approve(actor, activity: Activity, comment: str | None) -> None:
    before = audit.snapshot(activity, FIELDS)
    activity.status, activity.reviewed_at, activity.review_comment = S.APPROVED, utcnow(), comment
    activity.reviewer_id = actor.person_id
    db.session.flush()
    signals.activity_approved.send(activity, actor=actor)
    _audit("approved", activity, before, f"{actor.display_name} 审核通过 {activity.person.name} 的「{activity.title}」", actor=actor)
    notify(activity.person, "activity_approved", f"导师已审核通过您的工作纪实「{activity.title}」。"
           + (f"意见：{comment}" if comment else ""), link=_link(activity))


def approve(actor, activity: Activity, *, version, comment: str | None = None) -> Activity:
    """The current primary mentor approves: the entry is locked, points are written, progress counts it."""
    _take(actor, activity, "approve", version)
    comment = _comment(comment, "comment", "审核意见", required=False)
    with transaction():
        _approve(actor, activity, comment)
    return activity


def return_entry(actor, activity: Activity, *, version, comment: str) -> Activity:
    """The current primary mentor sends the entry back with a comment; the trainee edits and resubmits."""
    _take(actor, activity, "return", version)
    comment = _comment(comment, "comment", "退回意见", required=True)
    before = audit.snapshot(activity, FIELDS)
    with transaction():
        activity.status, activity.reviewed_at, activity.review_comment = S.RETURNED, utcnow(), comment
        activity.reviewer_id = actor.person_id
        db.session.flush()
        _audit("returned", activity, before, f"{actor.display_name} 退回 {activity.person.name} 的「{activity.title}」", actor=actor)
        notify(activity.person, "activity_returned", f"导师退回了您的工作纪实「{activity.title}」：{comment}",
               link=_link(activity))
    return activity


def bulk_approve(actor, selection: list[tuple[int, int | None]], *, comment: str | None = None) -> list[Activity]:
    """Approve several entries of the mentor's queue at once: every one is checked first, then all are
    approved in one transaction — or none, with the reason for each refused entry."""
    if not selection:
        raise ValidationFailed("请先勾选要通过的记录。", {"ids": ["请先勾选要通过的记录。"]})
    if len(selection) > BULK_MAX:
        raise ValidationFailed(f"一次最多批量通过 {BULK_MAX} 条。", {"ids": [f"一次最多 {BULK_MAX} 条。"]})
    policy.require(actor, "activity.queue")
    comment = _comment(comment, "comment", "审核意见", required=False)
    ids = [activity_id for activity_id, _v in selection]
    loaded = {a.id: a for a in db.session.execute(db.select(Activity).where(Activity.id.in_(ids))).scalars()}
    problems, chosen = [], []
    for activity_id, version in selection:
        activity = loaded.get(activity_id)
        try:
            _take(actor, activity, "approve", version)
        except DomainError as error:
            title = f"「{activity.title}」" if activity is not None and policy.can(actor, "activity.view", activity) \
                else f"#{activity_id}"
            problems.append(f"{title}：{error.message}")
        else:
            chosen.append(activity)
    if problems:
        raise DomainError(f"批量通过未执行（共 {len(selection)} 条，{len(problems)} 条不能通过），"
                          "所有记录均未改变：" + "；".join(problems))
    with transaction():
        for activity in chosen:
            _approve(actor, activity, comment)
        audit.record("activity.bulk_approved", None, after={"ids": [a.id for a in chosen]},
                     summary=f"{actor.display_name} 批量通过 {len(chosen)} 条工作纪实", unit_id=actor.unit_id,
                     actor=actor)
    return chosen


# --- HR -------------------------------------------------------------------------------------------

def revoke(actor, activity: Activity, *, version, reason: str) -> Activity:
    """HR withdraws an approved entry with a reason: nothing is deleted, points are reversed by the ledger."""
    _take(actor, activity, "revoke", version)
    reason = _comment(reason, "reason", "撤销理由", required=True, max_len=REASON_MAX)
    before = audit.snapshot(activity, FIELDS)
    with transaction():
        activity.status, activity.revoked_at, activity.revoke_reason = S.REVOKED, utcnow(), reason
        activity.revoked_by_id = actor.id
        db.session.flush()
        signals.activity_revoked.send(activity, actor=actor, reason=f"工作纪实撤销：{reason}")
        _audit("revoked", activity, before, f"{actor.display_name} 撤销 {activity.person.name} 的「{activity.title}」", actor=actor)
        notify(activity.person, "activity_revoked", f"政治部撤销了您已通过的工作纪实「{activity.title}」：{reason}",
               link=_link(activity))
        if activity.reviewer is not None:
            notify(activity.reviewer, "activity_revoked",
                   f"{activity.person.name} 的工作纪实「{activity.title}」已被政治部撤销。", link=_link(activity))
    return activity


# --- evidence -------------------------------------------------------------------------------------

def check_files(files: list, existing: int, *, confirmed: bool) -> list[uploads.CheckedFile]:
    """Check uploads before anything is written: the 涉密 confirmation, the count, then each file's content."""
    files = [f for f in files or [] if f is not None and (f.filename or "").strip()]
    if not files:
        return []
    if not confirmed:
        raise ValidationFailed("上传附件前请确认：附件不含涉密内容。", {"no_classified_confirmed": ["请确认不含涉密内容。"]})
    room = MAX_EVIDENCE - existing
    if len(files) > room:
        message = f"每条记录最多 {MAX_EVIDENCE} 个附件：已有 {existing} 个，本次最多还能上传 {max(room, 0)} 个。"
        raise ValidationFailed(message, {"files": [message]})
    return [evidence_files.check(f) for f in files]


def _store_files(actor, activity: Activity, checked: list, stored: list) -> list[Evidence]:
    """Write checked files and their rows (inside the caller's transaction; `stored` collects names for cleanup)."""
    rows = []
    for item in checked:
        stored.append(uploads.store(item, EVIDENCE_AREA))
        rows.append(Evidence(activity_id=activity.id, original_name=item.name, stored_name=stored[-1],
                             content_type=item.kind.content_type, size=item.size, sha256=item.sha256,
                             uploaded_by_id=getattr(actor, "id", None)))
    if rows:
        db.session.add_all(rows)
        db.session.flush()
        audit.record("activity.evidence_added", activity, after={"files": [r.original_name for r in rows]},
                     summary=f"为「{activity.title}」上传 {len(rows)} 个附件", unit_id=activity.person.unit_id,
                     actor=actor)
    return rows


@contextmanager
def _files_transaction(stored: list):
    """A transaction that also removes the files it wrote when it rolls back."""
    try:
        with transaction() as session:
            yield session
    except Exception:
        for name in stored:
            uploads.remove(EVIDENCE_AREA, name)
        raise


def add_evidence(actor, activity: Activity, files: list, *, confirmed: bool) -> list[Evidence]:
    """Attach files to a draft or returned entry: all checked first (content, size, count), then all stored."""
    _take(actor, activity, "edit", None)
    checked = check_files(files, len(activity.evidence), confirmed=confirmed)
    if not checked:
        raise ValidationFailed("请选择要上传的文件。", {"files": ["请选择要上传的文件。"]})
    stored: list[str] = []
    with _files_transaction(stored):
        rows = _store_files(actor, activity, checked, stored)
    return rows


def remove_evidence(actor, evidence: Evidence) -> None:
    """Remove a file while the entry is a draft or returned; once submitted, the evidence stays."""
    activity = evidence.activity
    _take(actor, activity, "edit", None)
    name, stored = evidence.original_name, evidence.stored_name
    with transaction():
        db.session.delete(evidence)
        audit.record("activity.evidence_removed", activity, before={"file": name},
                     summary=f"删除「{activity.title}」的附件 {name}", unit_id=activity.person.unit_id, actor=actor)
    uploads.remove(EVIDENCE_AREA, stored)


# --- mentor changes -------------------------------------------------------------------------------

def move_pending_reviews(assignment, actor=None) -> int:
    """Pending (submitted) entries follow the trainee to the new primary mentor: each move is audited."""
    pending = db.session.execute(db.select(Activity).where(
        Activity.person_id == assignment.trainee_id, Activity.status == S.SUBMITTED,
        (Activity.reviewer_id.is_(None)) | (Activity.reviewer_id != assignment.mentor_id))).scalars().all()
    for activity in pending:
        before = audit.snapshot(activity, FIELDS)
        activity.reviewer_id = assignment.mentor_id
        db.session.flush()
        _audit("reviewer_moved", activity, before, f"导师变更：「{activity.title}」转由 {assignment.mentor.name} 审核",
               actor=actor)
    if pending:
        notify(assignment.mentor, "activity_submitted",
               f"{assignment.trainee.name} 有 {len(pending)} 条工作纪实待审核（导师变更后转给您）。",
               link=_queue_link())
    return len(pending)


def _queue_link() -> str:
    try:
        return url_for("activities.review_queue")
    except RuntimeError:
        return "/activities/review"


# --- reminders ------------------------------------------------------------------------------------

def remind_overdue(days: int = 7) -> int:
    """Remind each mentor of entries waiting more than `days` days: one note per mentor per week (safe to
    run daily from cron; a second run in the same week sends nothing). Returns the notes sent."""
    from datetime import datetime

    from trainee.org.models import Person as Mentor

    cutoff = utcnow() - timedelta(days=days)
    rows = db.session.execute(
        db.select(Activity.reviewer_id, db.func.count(Activity.id), db.func.min(Activity.submitted_at))
        .where(Activity.status == S.SUBMITTED, Activity.submitted_at < cutoff, Activity.reviewer_id.is_not(None))
        .group_by(Activity.reviewer_id)).all()
    year, week, _day = local_today().isocalendar()
    sent = 0
    with transaction():
        for reviewer_id, count, oldest in rows:
            mentor = db.session.get(Mentor, reviewer_id)
            waited = (local_today() - oldest.date()).days if isinstance(oldest, datetime) else days
            note = notify(mentor, "activity_overdue", f"有 {count} 条工作纪实等待您审核已超过 {days} 天（最早一条 {waited} 天）。",
                          link=_queue_link(), key=f"activity-overdue:{reviewer_id}:{year}-W{week:02d}")
            sent += note is not None
    return sent


@reminder
def overdue_reviews_reminder(today=None) -> dict:
    """Part of the daily `flask --app app remind` sweep: reviews waiting more than 7 days (weekly per mentor)."""
    return {"提醒导师（待审核超过 7 天）": remind_overdue()}
