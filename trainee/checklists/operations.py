"""Every change to the dual-study checklist (双学铸魂).

Each operation: policy.require → validate → mutate → audit.record → commit (one transaction).
- Items reach a trainee when they enter a stage (the `stage_entered` signal) and, when HR adds an item to a
  stage, everyone already in it gets it at once. The due date counts `due_months` from the later of the stage
  start and the day the item was added — so people already inside count from today.
- The trainee saves a draft or submits the reflection (学习心得) with an optional attachment; the current
  primary mentor confirms (locked from then on; `checklist_confirmed` is sent inside the transaction, and the
  points ledger writes its entry) or returns it with a comment. HR may exempt a person from an item with a
  reason, and correct a wrong confirmation (the ledger entry is reversed).
"""
import re
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import and_, exists, select

from trainee import audit, policy, signals
from trainee.checklists.models import (
    OPEN_STATUSES,
    AssignmentStatus,
    ChecklistAssignment,
    ChecklistAttachment,
    ChecklistCategory,
    ChecklistItem,
    ChecklistNote,
    NoteAngle,
)
from trainee.core import uploads
from trainee.core.errors import DomainError, ValidationFailed
from trainee.core.ops import transaction
from trainee.core.time import add_months, local_today, utcnow
from trainee.extensions import db
from trainee.notifications import notify, reminder
from trainee.org.models import Person, PersonStatus, Position
from trainee.training.models import Stage, StageRecord

ITEM_FIELDS = ("category", "stage_id", "title", "source", "min_chars", "due_months", "active", "retired_on")
STATE_FIELDS = ("status", "submitted_at", "reviewer_id", "review_comment", "confirmed_on", "exempt_reason",
                "exempted_on", "attachment_id")
REFLECTION_MAX = 20000
NOTE_MAX = 1000
COMMENT_MAX = 1000
REMIND_DAYS = 7
ATTACHMENT_AREA = "checklists"                     # UPLOAD_DIR/checklists, through trainee.core.uploads
ATTACHMENT_KINDS = ("pdf", "docx", "jpg", "png")
WHITESPACE = re.compile(r"\s")


def _fail(field: str, message: str):
    raise ValidationFailed(message, {field: [message]})


def _link(endpoint, **values):
    try:
        return url_for(endpoint, **values)
    except RuntimeError:  # outside a request (the CLI sweep): the path is stable
        return f"/checklists/assignments/{values.get('assignment_id')}" if "assignment_id" in values else None


def assignment_link(assignment) -> str | None:
    return _link("checklists.assignment_page", assignment_id=assignment.id)


def count_chars(text: str) -> int:
    """Characters that count towards the minimum: everything but whitespace (as the page's live counter)."""
    return len(WHITESPACE.sub("", text or ""))


def _plain_text(value, field: str, label: str, max_len: int, *, required: bool = True) -> str:
    value = value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""
    if not value:
        if required:
            _fail(field, f"请填写{label}（不能只有空白）。")
        return ""
    if "<" in value or ">" in value:
        _fail(field, f"{label}不能包含 HTML 等标记（尖括号 < >），请粘贴纯文字。")
    if len(value) > max_len:
        _fail(field, f"{label}不超过 {max_len} 个字符。")
    return value


def clean_reflection(text, item: ChecklistItem, *, submitting: bool) -> str:
    value = _plain_text(text, "reflection", "学习心得", REFLECTION_MAX)
    if submitting:
        n = count_chars(value)
        if n < item.min_chars:
            _fail("reflection", f"学习心得不少于 {item.min_chars} 字（不计空白），当前 {n} 字。")
    return value


def due_date_for(start: date, item: ChecklistItem) -> date:
    return add_months(max(start, item.added_on), item.due_months)


def _assignment_row(person_id: int, start: date, item: ChecklistItem, now) -> dict:
    assigned = max(start, item.added_on)
    return {"person_id": person_id, "item_id": item.id, "assigned_on": assigned,
            "due_date": add_months(assigned, item.due_months), "status": AssignmentStatus.PENDING.name,
            "reflection": "", "version": 1, "created_at": now, "updated_at": now}


def _insert_assignments(rows: list[dict]) -> None:
    for start in range(0, len(rows), 2000):
        db.session.execute(ChecklistAssignment.__table__.insert(), rows[start:start + 2000])


# --- assignment -----------------------------------------------------------------------------------

def assign_for_stage_record(record: StageRecord) -> int:
    """Give the person every active item of the stage they entered that they do not have yet."""
    person = record.person or db.session.get(Person, record.person_id)
    if person is None or not person.is_trainee:
        return 0
    items = db.session.execute(select(ChecklistItem).where(
        ChecklistItem.stage_id == record.stage_id, ChecklistItem.active.is_(True),
        ~exists().where(ChecklistAssignment.item_id == ChecklistItem.id,
                        ChecklistAssignment.person_id == person.id))).scalars().all()
    now = utcnow()
    _insert_assignments([_assignment_row(person.id, record.start_date, item, now) for item in items])
    return len(items)


@signals.stage_entered.connect
def on_stage_entered(record, actor=None, **_kw):
    count = assign_for_stage_record(record)
    if count:
        person = record.person or db.session.get(Person, record.person_id)
        audit.record("checklist.assigned", record, after={"stage_id": record.stage_id, "items": count},
                     summary=f"{person.name} 进入新阶段，分配必学清单 {count} 项", unit_id=person.unit_id, actor=actor)
        notify(person, "checklist_assigned", f"您有 {count} 项新的双学必学清单条目，请按期完成学习心得。",
               link=_link("checklists.mine"))


@signals.mentor_changed.connect
def on_mentor_changed(assignment, actor=None, **_kw):
    """Reflections waiting for confirmation now wait for the new primary mentor: tell them."""
    from trainee.mentoring.models import AssignmentKind

    if assignment.kind is not AssignmentKind.PRIMARY:
        return
    waiting = db.session.execute(select(db.func.count(ChecklistAssignment.id)).where(
        ChecklistAssignment.person_id == assignment.trainee_id,
        ChecklistAssignment.status == AssignmentStatus.SUBMITTED)).scalar_one()
    if waiting:
        trainee = db.session.get(Person, assignment.trainee_id)
        mentor = db.session.get(Person, assignment.mentor_id)
        notify(mentor, "checklist_submitted", f"{trainee.name} 有 {waiting} 份学习心得待您确认。",
               link=_link("checklists.mentees"))


def sync_assignments() -> int:
    """Assign missing items to active trainees by their current stage (data that predates the checklist,
    people placed without the signal). Idempotent; run by the daily sweep."""
    rows = db.session.execute(
        select(StageRecord.person_id, StageRecord.start_date, ChecklistItem)
        .join(Person, Person.id == StageRecord.person_id)
        .join(ChecklistItem, and_(ChecklistItem.stage_id == StageRecord.stage_id, ChecklistItem.active.is_(True)))
        .where(StageRecord.end_date.is_(None), Person.position == Position.ASSISTANT,
               Person.status == PersonStatus.ACTIVE,
               ~exists().where(ChecklistAssignment.item_id == ChecklistItem.id,
                               ChecklistAssignment.person_id == StageRecord.person_id))).all()
    now, seen, payload = utcnow(), set(), []
    for person_id, start, item in rows:
        if (person_id, item.id) not in seen:  # two open records of one person: the earlier start wins
            seen.add((person_id, item.id))
            payload.append(_assignment_row(person_id, start, item, now))
    _insert_assignments(payload)
    return len(payload)


# --- items (HR / admin) ---------------------------------------------------------------------------

def _item_data(data: dict) -> dict:
    category = data.get("category")
    if isinstance(category, str) and category in ChecklistCategory.__members__:
        category = ChecklistCategory[category]
    if not isinstance(category, ChecklistCategory):
        _fail("category", "类别须为“政治必研”或“业务必学”。")
    stage = data.get("stage_id")
    stage = db.session.get(Stage, stage) if isinstance(stage, int) else None
    if stage is None:
        _fail("stage_id", "请选择阶段。")
    title = _plain_text(data.get("title"), "title", "条目名称", 200)
    source = _plain_text(data.get("source"), "source", "出处", 200, required=False)
    min_chars, months = data.get("min_chars"), data.get("due_months")
    if not isinstance(min_chars, int) or isinstance(min_chars, bool) or not 50 <= min_chars <= 5000:
        _fail("min_chars", "心得最少字数须为 50–5000 的整数。")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 60:
        _fail("due_months", "完成期限须为 1–60 个月。")
    return {"category": category, "stage_id": stage.id, "title": title, "source": source, "min_chars": min_chars,
            "due_months": months}


def _duplicate_title(title: str, stage_id: int, item_id: int | None = None) -> None:
    query = select(ChecklistItem.id).where(ChecklistItem.title == title, ChecklistItem.stage_id == stage_id,
                                           ChecklistItem.active.is_(True))
    if item_id is not None:
        query = query.where(ChecklistItem.id != item_id)
    if db.session.execute(query.limit(1)).first():
        _fail("title", "本阶段已有同名的在用条目。")


def create_item(actor, data: dict) -> tuple[ChecklistItem, int]:
    """Add an item; everyone already in its stage gets it now, due `due_months` from today."""
    policy.require(actor, "checklist.manage")
    values = _item_data(data)
    _duplicate_title(values["title"], values["stage_id"])
    today = local_today()
    with transaction():
        order = (db.session.execute(select(db.func.max(ChecklistItem.order))).scalar() or 0) + 1
        item = ChecklistItem(**values, order=order, added_on=today, active=True, created_by_id=actor.id)
        db.session.add(item)
        db.session.flush()
        people = db.session.execute(
            select(StageRecord.person_id, db.func.min(StageRecord.start_date))
            .join(Person, Person.id == StageRecord.person_id)
            .where(StageRecord.stage_id == item.stage_id, StageRecord.end_date.is_(None),
                   Person.position == Position.ASSISTANT, Person.status == PersonStatus.ACTIVE)
            .group_by(StageRecord.person_id)).all()
        now = utcnow()
        _insert_assignments([_assignment_row(pid, start, item, now) for pid, start in people])
        audit.record("checklist_item.created", item, after=audit.snapshot(item, ITEM_FIELDS),
                     summary=f"新增必学清单条目 {item.title}，分配给本阶段 {len(people)} 人", actor=actor)
        due = add_months(today, item.due_months)
        recipients = db.session.execute(select(Person).where(Person.id.in_([p for p, _s in people]))).scalars().all() \
            if people else []
        for person in recipients:
            notify(person, "checklist_assigned",
                   f"新增必学清单条目：{item.title}，请于 {due.isoformat()} 前提交学习心得。", link=_link("checklists.mine"))
    return item, len(people)


def update_item(actor, item: ChecklistItem, data: dict) -> ChecklistItem:
    """Edit an item. Due dates already given stay as they are; the stage changes only while nobody has the item."""
    policy.require(actor, "checklist.manage")
    if not item.active:
        raise DomainError("此条目已停用，不能修改。")
    values = _item_data(data)
    if values["stage_id"] != item.stage_id and db.session.execute(
            select(ChecklistAssignment.id).where(ChecklistAssignment.item_id == item.id).limit(1)).first():
        _fail("stage_id", "已有人员分配了此条目，不能再改变阶段（可停用后新增）。")
    _duplicate_title(values["title"], values["stage_id"], item.id)
    before = audit.snapshot(item, ITEM_FIELDS)
    with transaction():
        for name, value in values.items():
            setattr(item, name, value)
        db.session.flush()
        audit.record("checklist_item.updated", item, before=before, after=audit.snapshot(item, ITEM_FIELDS),
                     summary=f"修改必学清单条目 {item.title}", actor=actor)
    return item


def retire_item(actor, item: ChecklistItem) -> ChecklistItem:
    """Stop using an item: no longer assigned, no longer due; confirmed reflections stay in the record."""
    policy.require(actor, "checklist.manage")
    if not item.active:
        raise DomainError("此条目已停用。")
    before = audit.snapshot(item, ITEM_FIELDS)
    with transaction():
        item.active, item.retired_on = False, local_today()
        db.session.flush()
        audit.record("checklist_item.retired", item, before=before, after=audit.snapshot(item, ITEM_FIELDS),
                     summary=f"停用必学清单条目 {item.title}", actor=actor)
    return item


# --- the trainee: reflection and attachment -----------------------------------------------------------

def _check_open_for_trainee(assignment: ChecklistAssignment) -> None:
    if assignment.status is AssignmentStatus.CONFIRMED:
        raise DomainError("此条目已经导师确认，已锁定，不能再修改。")
    if assignment.status is AssignmentStatus.EXEMPT:
        raise DomainError("此条目已免学，不能再修改。")
    if assignment.status is AssignmentStatus.SUBMITTED:
        raise DomainError("已提交导师确认，请等待导师确认或退回后再修改。")
    if not assignment.item.active:
        raise DomainError("此条目已停用，无需再提交。")


def save_reflection(actor, assignment: ChecklistAssignment, reflection, *, submit: bool,
                    upload=None) -> ChecklistAssignment:
    """Save a draft, or submit to the mentor (the reflection must reach the item's minimum)."""
    from trainee.mentoring.operations import current_primary

    person = assignment.person
    policy.require(actor, "checklist.study", person)
    _check_open_for_trainee(assignment)
    text = clean_reflection(reflection, assignment.item, submitting=submit)
    checked = None
    if upload is not None and getattr(upload, "filename", None):
        checked = uploads.check(upload, allowed=ATTACHMENT_KINDS, field="attachment", what="附件")
    mentor = current_primary(person) if submit else None
    if submit and mentor is None:
        raise DomainError("您当前没有带教导师，暂不能提交；请联系政治部分配导师。")
    before = audit.snapshot(assignment, STATE_FIELDS)
    with transaction():
        if checked is not None:
            attachment = ChecklistAttachment(person_id=person.id, original_name=checked.name,
                                             stored_name=uploads.store(checked, ATTACHMENT_AREA),
                                             content_type=checked.kind.content_type, size=checked.size,
                                             sha256=checked.sha256, uploaded_by_id=actor.id)
            db.session.add(attachment)
            db.session.flush()
            assignment.attachment_id = attachment.id
        assignment.reflection = text
        if submit:
            assignment.status = AssignmentStatus.SUBMITTED
            assignment.submitted_at = utcnow()
        db.session.flush()
        audit.record("checklist.submitted" if submit else "checklist.saved", assignment, before=before,
                     after=audit.snapshot(assignment, STATE_FIELDS), unit_id=person.unit_id, actor=actor,
                     summary=f"{person.name} {'提交' if submit else '保存'}学习心得：{assignment.item.title}")
        if submit:
            notify(mentor.mentor, "checklist_submitted",
                   f"{person.name} 提交了学习心得「{assignment.item.title}」，请确认。", link=assignment_link(assignment))
    return assignment


# --- the mentor: confirm, return, discuss ---------------------------------------------------------------

def review(actor, assignment: ChecklistAssignment, *, confirm: bool, comment: str = "") -> ChecklistAssignment:
    person = assignment.person
    policy.require(actor, "checklist.review", person)
    comment = _plain_text(comment, "comment", "退回意见" if not confirm else "意见", COMMENT_MAX, required=not confirm)
    if assignment.status is not AssignmentStatus.SUBMITTED:
        raise DomainError(f"此条目当前为「{_zh(assignment.status)}」，不是待确认状态。")
    before = audit.snapshot(assignment, STATE_FIELDS)
    with transaction():
        assignment.status = AssignmentStatus.CONFIRMED if confirm else AssignmentStatus.RETURNED
        assignment.reviewer_id, assignment.reviewed_at = actor.person_id, utcnow()
        assignment.review_comment = comment or None
        assignment.confirmed_on = local_today() if confirm else None
        db.session.flush()
        audit.record("checklist.confirmed" if confirm else "checklist.returned", assignment, before=before,
                     after=audit.snapshot(assignment, STATE_FIELDS), unit_id=person.unit_id, actor=actor,
                     summary=f"导师{'确认' if confirm else '退回'} {person.name} 的学习心得：{assignment.item.title}")
        if confirm:
            signals.checklist_confirmed.send(assignment, actor=actor)
        text = (f"您的学习心得「{assignment.item.title}」已经导师确认。" if confirm
                else f"您的学习心得「{assignment.item.title}」被退回：{comment}")
        notify(person, "checklist_reviewed", text, link=assignment_link(assignment))
    return assignment


def add_note(actor, assignment: ChecklistAssignment, angle, text) -> ChecklistNote:
    """三维剖析: the mentor discusses the reflection from the political, theoretical or business angle."""
    person = assignment.person
    policy.require(actor, "checklist.review", person)
    if isinstance(angle, str) and angle in NoteAngle.__members__:
        angle = NoteAngle[angle]
    if not isinstance(angle, NoteAngle):
        _fail("angle", "请选择剖析维度：政治、理论或业务。")
    text = _plain_text(text, "text", "剖析意见", NOTE_MAX)
    if not assignment.reflection or assignment.status in (AssignmentStatus.PENDING, AssignmentStatus.EXEMPT):
        raise DomainError("学员尚未提交学习心得，暂不能剖析。")
    with transaction():
        note = ChecklistNote(assignment_id=assignment.id, angle=angle, text=text, author_id=actor.person_id)
        db.session.add(note)
        db.session.flush()
        audit.record("checklist.note", note, after={"assignment_id": assignment.id, "angle": angle.name, "text": text},
                     unit_id=person.unit_id, actor=actor,
                     summary=f"导师对 {person.name} 的「{assignment.item.title}」作{_zh(angle)}剖析")
        notify(person, "checklist_note", f"导师对您的学习心得「{assignment.item.title}」作了{_zh(angle)}剖析。",
               link=assignment_link(assignment))
    return note


# --- HR: exemption and correction -------------------------------------------------------------------------

def exempt(actor, assignment: ChecklistAssignment, reason) -> ChecklistAssignment:
    person = assignment.person
    policy.require(actor, "checklist.exempt", person)
    reason = _plain_text(reason, "reason", "免学理由", 300)
    if assignment.status is AssignmentStatus.CONFIRMED:
        raise DomainError("已确认的条目不能免学。")
    if assignment.status is AssignmentStatus.EXEMPT:
        raise DomainError("此条目已免学。")
    before = audit.snapshot(assignment, STATE_FIELDS)
    with transaction():
        assignment.status = AssignmentStatus.EXEMPT
        assignment.exempt_reason, assignment.exempted_by_id, assignment.exempted_on = reason, actor.id, local_today()
        db.session.flush()
        audit.record("checklist.exempted", assignment, before=before, after=audit.snapshot(assignment, STATE_FIELDS),
                     unit_id=person.unit_id, actor=actor, summary=f"政治部免除 {person.name} 的「{assignment.item.title}」")
        notify(person, "checklist_exempted", f"政治部已免除您的必学条目「{assignment.item.title}」：{reason}",
               link=assignment_link(assignment))
    return assignment


def lift_exemption(actor, assignment: ChecklistAssignment, reason) -> ChecklistAssignment:
    """HR takes back an exemption given in error: the item is to study again (待学习), due a full period from
    today, and the reflection written before, if any, is kept. The audit keeps the exemption."""
    person = assignment.person
    policy.require(actor, "checklist.exempt", person)
    reason = _plain_text(reason, "reason", "取消免学理由", 300)
    if assignment.status is not AssignmentStatus.EXEMPT:
        raise DomainError("只有已免学的条目才能取消免学。")
    before = audit.snapshot(assignment, STATE_FIELDS)
    with transaction():
        assignment.status = AssignmentStatus.PENDING
        assignment.exempt_reason = assignment.exempted_by_id = assignment.exempted_on = None
        assignment.due_date = due_date_for(local_today(), assignment.item)
        db.session.flush()
        audit.record("checklist.exemption_lifted", assignment, before=before,
                     after=audit.snapshot(assignment, STATE_FIELDS), unit_id=person.unit_id, actor=actor,
                     summary=f"政治部取消 {person.name} 的「{assignment.item.title}」免学：{reason}")
        notify(person, "checklist_exempted",
               f"政治部已取消您的必学条目「{assignment.item.title}」的免学：{reason}。请于 "
               f"{assignment.due_date.isoformat()} 前完成。", link=assignment_link(assignment))
    return assignment


def revoke_confirmation(actor, assignment: ChecklistAssignment, reason) -> ChecklistAssignment:
    """HR corrects a wrong confirmation: back to 已退回 with the reason, and the points entry is reversed."""
    from trainee.points import ledger
    from trainee.points.models import SourceType

    person = assignment.person
    policy.require(actor, "checklist.correct", person)
    reason = _plain_text(reason, "reason", "更正理由", 300)
    if assignment.status is not AssignmentStatus.CONFIRMED:
        raise DomainError("只有已确认的条目才能更正。")
    before = audit.snapshot(assignment, STATE_FIELDS)
    with transaction():
        assignment.status = AssignmentStatus.RETURNED
        assignment.confirmed_on = None
        assignment.review_comment = f"政治部更正：{reason}"
        db.session.flush()
        ledger.reverse(SourceType.CHECKLIST, assignment.id, reason=f"双学清单确认被更正：{reason}", actor=actor)
        audit.record("checklist.confirmation_revoked", assignment, before=before,
                     after=audit.snapshot(assignment, STATE_FIELDS), unit_id=person.unit_id, actor=actor,
                     summary=f"政治部更正 {person.name} 的「{assignment.item.title}」确认：{reason}")
        notify(person, "checklist_reviewed", f"您的学习心得「{assignment.item.title}」确认已被政治部更正：{reason}",
               link=assignment_link(assignment))
    return assignment


# --- the daily sweep ------------------------------------------------------------------------------------

@reminder
def remind(today: date | None = None) -> dict:
    """Assign what is missing, then remind: 7 days before the due date, and once an item is overdue (the trainee,
    and the primary mentor). Each reminder has a key (item, due date), so running the sweep twice sends once."""
    from trainee.mentoring.models import AssignmentKind, MentorAssignment
    from trainee.notifications.models import Notification

    today = today or local_today()
    assigned = sync_assignments()
    rows = db.session.execute(
        select(ChecklistAssignment.id, ChecklistAssignment.person_id, ChecklistAssignment.due_date,
               ChecklistItem.title)
        .join(ChecklistItem, ChecklistItem.id == ChecklistAssignment.item_id)
        .join(Person, Person.id == ChecklistAssignment.person_id)
        .where(ChecklistAssignment.status.in_(OPEN_STATUSES), ChecklistItem.active.is_(True),
               Person.status == PersonStatus.ACTIVE,
               ChecklistAssignment.due_date <= today + timedelta(days=REMIND_DAYS))
        .order_by(ChecklistAssignment.id)).all()
    person_ids = sorted({r.person_id for r in rows})
    people, mentors = {}, {}
    for start in range(0, len(person_ids), 900):
        chunk = person_ids[start:start + 900]
        people.update({p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(chunk))).scalars()})
        for trainee_id, mentor in db.session.execute(
                select(MentorAssignment.trainee_id, Person).join(Person, Person.id == MentorAssignment.mentor_id)
                .where(MentorAssignment.trainee_id.in_(chunk), MentorAssignment.kind == AssignmentKind.PRIMARY,
                       MentorAssignment.end_date.is_(None))).all():
            mentors[trainee_id] = mentor
    planned = []  # (key, recipient, kind, text, link)
    for r in rows:
        link = f"/checklists/assignments/{r.id}"
        person = people[r.person_id]
        if r.due_date < today:
            planned.append((f"checklist-overdue:{r.id}:{r.due_date.isoformat()}", person, "checklist_overdue",
                            f"必学清单「{r.title}」已逾期（应于 {r.due_date.isoformat()} 前完成），请尽快提交学习心得。", link))
            mentor = mentors.get(r.person_id)
            if mentor is not None:
                planned.append((f"checklist-overdue-mentor:{r.id}:{r.due_date.isoformat()}:{mentor.id}", mentor,
                                "checklist_overdue", f"带教对象 {person.name} 的必学清单「{r.title}」已逾期。",
                                "/checklists/mentees"))
        elif r.due_date >= today:
            planned.append((f"checklist-due7:{r.id}:{r.due_date.isoformat()}", person, "checklist_due",
                            f"必学清单「{r.title}」将于 {r.due_date.isoformat()} 到期，请按时提交学习心得。", link))
    keys = [p[0] for p in planned]
    existing = set()
    for start in range(0, len(keys), 900):
        existing.update(db.session.execute(select(Notification.key).where(
            Notification.key.in_(keys[start:start + 900]))).scalars())
    sent = {"checklist_due": 0, "checklist_overdue": 0}
    with transaction():
        for key, recipient, kind, text, link in planned:
            if key in existing:
                continue
            if notify(recipient, kind, text, link=link, key=key) is not None:
                sent[kind] += 1
            existing.add(key)
    return {"assigned": assigned, "due_soon": sent["checklist_due"], "overdue": sent["checklist_overdue"]}


def _zh(member) -> str:
    label = member.label
    return label._args[0] if getattr(label, "_args", None) else str(label)
