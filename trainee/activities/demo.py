"""Demo and city-scale progress logs.

Demo: realistic entries of `trainee`, `trainee2`, `mentor`'s third mentee and a few others, in every status,
made through the operations (so approval writes points and the audit history is real), then dated back.
Bulk: ~54 approved entries per trainee per year plus a few pending ones, with Core bulk inserts, before the
points generator (which derives its ledger from these approved rows).
"""
import io
import struct
import zlib
from datetime import datetime, time, timedelta

from werkzeug.datastructures import FileStorage

from trainee import policy
from trainee.activities import operations as ops
from trainee.activities.models import Activity, ActivityStatus, ActivityType
from trainee.audit import AuditEntry
from trainee.bulk import BulkContext, bulk_step, insert_many
from trainee.demo import DemoContext, demo_step
from trainee.dossiers.sample import TITLES, WEIGHTS
from trainee.extensions import db

# (days ago, type, transition, title, description, case number, hours)
TRAINEE_APPROVED = [
    (300, "SIMPLE_CASE", "T4", "指导下办理刘某危险驾驶案", "在罗建平检察官指导下完成阅卷、讯问和审查报告，提出适用认罪认罚的量刑建议。",
     "潭检刑诉〔{y}〕41号", 6),
    (286, "REVIEW_REPORT", "T4", "刘某危险驾驶案审查报告", "完成审查报告初稿，证据分析部分经导师修改两处。", "潭检刑诉〔{y}〕41号", 4),
    (265, "SIMPLE_CASE", "T4", "指导下办理周某盗窃案", "梳理三次盗窃的证据链，核实赃物价格认定。", "潭检刑诉〔{y}〕57号", 5),
    (251, "REVIEW_REPORT", "T4", "周某盗窃案审查报告", "", "潭检刑诉〔{y}〕57号", 3.5),
    (230, "ASSIST_CASE", "T4", "协助办理某网络赌博案", "协助整理电子数据，制作资金流向表。", "潭检刑诉〔{y}〕63号", 8),
    (214, "SIMPLE_CASE", "T4", "指导下办理黄某故意伤害案（轻伤）", "组织双方刑事和解，促成谅解。", "潭检刑诉〔{y}〕70号", 6),
    (205, "REVIEW_REPORT", "T4", "黄某故意伤害案审查报告", "", "潭检刑诉〔{y}〕70号", 3),
    (190, "TRAINING", "T5", "参加全市刑事检察业务培训", "认罪认罚从宽制度适用专题，两天。", None, 14),
    (176, "SIMPLE_CASE", "T4", "指导下办理吴某帮助信息网络犯罪活动案", "", "潭检刑诉〔{y}〕88号", 5),
    (170, "REVIEW_REPORT", "T4", "吴某帮信案审查报告", "重点论证主观明知的认定。", "潭检刑诉〔{y}〕88号", 4),
    (150, "COURT", "T4", "出庭支持公诉（吴某帮信案）", "在导师指导下发表公诉意见，法庭采纳量刑建议。", "潭检刑诉〔{y}〕88号", 3),
    (131, "SIMPLE_CASE", "T4", "指导下办理陈某诈骗案", "", "潭检刑诉〔{y}〕102号", 6),
    (125, "REVIEW_REPORT", "T4", "陈某诈骗案审查报告", "", "潭检刑诉〔{y}〕102号", 4),
    (108, "DOC_DRAFT", "T4", "起草陈某诈骗案起诉书", "", "潭检刑诉〔{y}〕102号", 2),
    (96, "SIMPLE_CASE", "T4", "指导下办理赵某非法持有毒品案", "", "潭检刑诉〔{y}〕115号", 5),
    (88, "REVIEW_REPORT", "T4", "赵某非法持有毒品案审查报告", "", "潭检刑诉〔{y}〕115号", 3),
    (74, "CASE_ANALYSIS", "T5", "案例研析：醉驾案件“情节显著轻微”的把握", "结合近两年本院 12 件醉驾不起诉案件归纳裁量要素。", None, 6),
    (60, "REVIEW_REPORT", "T4", "孙某寻衅滋事案审查报告", "", "潭检刑诉〔{y}〕131号", 4),
    (45, "SIMPLE_CASE", "T4", "指导下办理孙某寻衅滋事案", "", "潭检刑诉〔{y}〕131号", 6),
    (38, "RECEPTION", "T4", "群众来访接待：解答不起诉决定的救济途径", "", None, 1.5),
]
TRAINEE_REVOKED = (120, "ASSIST_CASE", "T4", "协助办理某网络赌博案（重复登记）", "", "潭检刑诉〔{y}〕63号", 8)
TRAINEE_OTHERS = {
    "returned": (20, "REVIEW_REPORT", "T4", "郑某交通肇事案审查报告", "完成审查报告。", "潭检刑诉〔{y}〕140号", 4,
                 "事故责任认定部分缺少对鉴定意见的分析，请补充后重新提交，并附审查报告扫描件。"),
    "overdue": (14, "SIMPLE_CASE", "T4", "指导下办理郑某交通肇事案", "审查事故责任认定书，听取被害人家属意见。",
                "潭检刑诉〔{y}〕140号", 6),
    "recent": (3, "DOC_DRAFT", "T4", "起草王某盗窃案不起诉决定书", "", "潭检刑诉〔{y}〕152号", 2),
    "draft": (1, "CASE_ANALYSIS", "T5", "类案观察：电信网络诈骗“取款人”的罪名选择", "草稿，待补充数据。", None, None),
}
TRAINEE2_APPROVED = [
    (150, "TRAINING", "T2", "参加新录用人员岗前培训", "检察职业道德、案件管理系统操作。", None, 24),
    (128, "DOC_DRAFT", "T2", "起草提讯提解证", "", None, 1),
    (120, "TRAINING", "T2", "参加法律文书写作培训", "", None, 6),
    (104, "CASE_ANALYSIS", "T1", "案例研析：盗窃罪“入户”的认定", "对照指导性案例整理裁判要点。", None, 5),
    (96, "DOC_DRAFT", "T2", "起草审查逮捕意见书（初稿）", "", "潭检刑捕〔{y}〕12号", 3),
    (80, "ASSIST_CASE", "T3", "协助办理许某盗窃案", "协助阅卷、制作阅卷笔录。", "潭检刑诉〔{y}〕77号", 6),
    (62, "RECEPTION", "T3", "控告申诉窗口接待来访群众", "", None, 4),
]
TRAINEE2_PENDING = (6, "DOC_DRAFT", "T2", "起草许某盗窃案起诉书（初稿）", "", "潭检刑诉〔{y}〕77号", 2)
TRAINEE2_DRAFT = (2, "TRAINING", "T2", "参加统计业务培训", "", None, 3)
THIRD_APPROVED = [(90, "ASSIST_CASE", None, "协助办理某合同诈骗案", "", "潭检刑诉〔{y}〕95号", 8),
                  (40, "REVIEW_REPORT", None, "某合同诈骗案审查报告", "", "潭检刑诉〔{y}〕95号", 4)]
THIRD_PENDING = (9, "CASE_ANALYSIS", None, "案例研析：合同诈骗与民事欺诈的界分", "", None, 5)


def _pdf(text: str) -> bytes:
    body = f"BT /F1 14 Tf 60 760 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png(width=64, height=40, colour=(178, 34, 34)) -> bytes:
    raw = b"".join(b"\x00" + bytes(colour) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _file(name: str, data: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


class _Demo:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.today = ctx.today

    def entry(self, user, spec, *, files=(), submit=False):
        days, code, transition, title, description, case_no, hours = spec[:7]
        day = self.today - timedelta(days=days)
        data = {"date": day, "type": code, "transition": transition or self._transition_of(user.person, day),
                "title": title, "description": description, "case_no": case_no.format(y=day.year) if case_no else None,
                "hours": hours, "no_classified_confirmed": True}
        activity = ops.create(user, user.person, data, files=[_file(n, d) for n, d in files])
        if submit:
            ops.submit(user, activity, version=None)
        return activity

    def _transition_of(self, person, day) -> str:
        from trainee.training.models import StageRecord

        record = db.session.execute(db.select(StageRecord).where(
            StageRecord.person_id == person.id, StageRecord.start_date <= day).order_by(StageRecord.start_date.desc())
        ).scalars().first()
        return record.stage.transitions[0].code if record else "T1"

    def approved(self, user, mentor, spec, *, files=(), comment=None, wait_days=3):
        activity = self.entry(user, spec, files=files, submit=True)
        ops.approve(mentor, activity, version=None, comment=comment)
        self.backdate(activity, spec[0], wait_days)
        return activity

    def backdate(self, activity, days_ago: int, wait_days: int | None = None):
        """Date the entry's timestamps and history to when it would have happened."""
        created = datetime.combine(self.today - timedelta(days=days_ago), time(9, 30))
        submitted = created + timedelta(hours=2)
        reviewed = submitted + timedelta(days=wait_days) if wait_days is not None else None
        activity.created_at, activity.submitted_at = created, submitted if activity.submitted_at else None
        if activity.reviewed_at is not None and reviewed is not None:
            activity.reviewed_at = reviewed
        activity.updated_at = reviewed or submitted
        times = {"activity.created": created, "activity.evidence_added": created, "activity.submitted": submitted,
                 "activity.approved": reviewed, "activity.returned": reviewed}
        for entry in db.session.execute(db.select(AuditEntry).where(
                AuditEntry.object_type == "Activity", AuditEntry.object_id == activity.id)).scalars():
            if times.get(entry.action):
                entry.at = times[entry.action]
        db.session.commit()


@demo_step(50)
def demo_activities(ctx: DemoContext) -> None:
    # The operations commit one by one; the demo starts with a quiet inbox (their notifications are dropped).
    from trainee.notifications.models import Notification

    session = db.session()
    session.expire_on_commit = False
    last_note = db.session.execute(db.select(db.func.max(Notification.id))).scalar() or 0
    try:
        _demo_activities(ctx)
    finally:
        session.expire_on_commit = True
    db.session.execute(db.delete(Notification).where(Notification.id > last_note))


def _demo_activities(ctx: DemoContext) -> None:
    from trainee.mentoring.operations import current_primary

    demo = _Demo(ctx)
    users = ctx.users
    trainee, trainee2, mentor, hr = users["trainee"], users["trainee2"], users["mentor"], users["hr"]
    scan = [("审查报告扫描件.pdf", _pdf("Review report (scan)"))]
    photo = [("出庭照片.png", _png())]
    for index, spec in enumerate(TRAINEE_APPROVED):
        files = scan if spec[1] == "REVIEW_REPORT" and index % 2 else photo if spec[1] == "COURT" else ()
        comment = "审查报告论证清楚，证据分析到位。" if spec[1] == "REVIEW_REPORT" and index < 4 else None
        demo.approved(trainee, mentor, spec, files=files, comment=comment, wait_days=2 + index % 4)
    revoked = demo.approved(trainee, mentor, TRAINEE_REVOKED)
    ops.revoke(hr, revoked, version=None, reason="与 230 天前登记的“协助办理某网络赌博案”重复，撤销本条。")

    spec = TRAINEE_OTHERS["returned"]
    returned = demo.entry(trainee, spec, submit=True)
    ops.return_entry(mentor, returned, version=None, comment=spec[7])
    demo.backdate(returned, spec[0], wait_days=2)
    overdue = demo.entry(trainee, TRAINEE_OTHERS["overdue"], files=scan, submit=True)
    demo.backdate(overdue, TRAINEE_OTHERS["overdue"][0])
    recent = demo.entry(trainee, TRAINEE_OTHERS["recent"], submit=True)
    demo.backdate(recent, TRAINEE_OTHERS["recent"][0])
    draft = demo.entry(trainee, TRAINEE_OTHERS["draft"])
    demo.backdate(draft, TRAINEE_OTHERS["draft"][0])

    for spec in TRAINEE2_APPROVED:
        demo.approved(trainee2, mentor, spec, wait_days=1)
    pending = demo.entry(trainee2, TRAINEE2_PENDING, submit=True)
    demo.backdate(pending, TRAINEE2_PENDING[0])
    demo.backdate(demo.entry(trainee2, TRAINEE2_DRAFT), TRAINEE2_DRAFT[0])

    third = ctx.trainees[2].user
    for spec in THIRD_APPROVED:
        demo.approved(third, mentor, spec)
    waiting = demo.entry(third, THIRD_PENDING, submit=True)
    demo.backdate(waiting, THIRD_PENDING[0])

    # A few other trainees with a short approved record (their own mentors approve).
    others = [p for p in ctx.trainees[3:] if p.user is not None and policy.can(p.user, "activity.create", p)
              and current_primary(p) is not None][:4]
    for k, person in enumerate(others):
        their_mentor = current_primary(person).mentor.user
        for j, (code, title) in enumerate([("ASSIST_CASE", "协助办理一起盗窃案"), ("TRAINING", "参加院内业务培训")]):
            spec = (20 + 25 * j + k, code, None, title, "", None, 2 + j)
            if ctx.today - timedelta(days=spec[0]) >= (person.hire_date or ctx.today):
                demo.approved(person.user, their_mentor, spec, wait_days=2)


# --- city scale -----------------------------------------------------------------------------------

PER_YEAR = 54  # with hiring over the window: about 2 million entries at 10,000 trainees × 5 years
FLUSH = 50_000


@bulk_step(50)
def bulk_activities(ctx: BulkContext) -> int:
    """~54 approved entries per trainee per year of service in the window, 2 waiting for review and a draft."""
    from trainee.training.demo import stage_plan
    from trainee.training.models import Transition

    rng, today = ctx.rng, ctx.today
    types = dict(db.session.execute(db.select(ActivityType.code, ActivityType.id)).all())
    codes, weights = zip(*[(c, w) for c, w in WEIGHTS.items() if c in types], strict=True)
    by_stage: dict = {}
    for code, stage_code in db.session.execute(db.select(Transition.id, Transition.stage_id)).all():
        by_stage.setdefault(stage_code, []).append(code)
    stage_ids = _stage_ids()
    first_day = today.replace(year=today.year - ctx.years + 1, month=1, day=1)
    now = datetime.combine(today, time(12, 0))
    rows, written = [], 0
    for person_id in ctx.trainee_ids:
        hire = ctx.hire_dates[person_id]
        plan = stage_plan(hire, (today - hire).days / 365, today)
        start = max(hire + timedelta(days=30), first_day)
        span = (today - start).days
        if span <= 0:
            continue
        count = max(1, round(PER_YEAR * span / 365))
        mentor = ctx.mentor_of.get(person_id)
        for index in range(count + 3):
            recent = index >= count  # pending entries and drafts are from the last two weeks
            day = today - timedelta(days=rng.randint(0, min(span, 14))) if recent else \
                start + timedelta(days=rng.randint(0, span))
            stage = next((c for c, s, e in reversed(plan) if s <= day), plan[0][0] if plan else "S1")
            code = rng.choices(codes, weights)[0]
            status = ActivityStatus.APPROVED if index < count else \
                ActivityStatus.SUBMITTED if index < count + 2 else ActivityStatus.DRAFT
            stamp = datetime.combine(day, time(10, 0))
            rows.append({"person_id": person_id, "type_id": types[code],
                         "transition_id": rng.choice(by_stage[stage_ids[stage]]), "date": day,
                         "title": TITLES[code].format(f"{day.year}年第{index % 60 + 1}号"), "description": "",
                         "case_no": f"检刑诉〔{day.year}〕{rng.randint(1, 999)}号" if code.endswith("CASE") else None,
                         "hours": rng.choice([1, 2, 2.5, 4, 8]), "no_classified_confirmed": True, "status": status,
                         "reviewer_id": mentor if status is not ActivityStatus.DRAFT else None,
                         "submitted_at": stamp if status is not ActivityStatus.DRAFT else None,
                         "reviewed_at": stamp + timedelta(days=2) if status is ActivityStatus.APPROVED else None,
                         "version": 1, "created_at": stamp, "updated_at": min(stamp + timedelta(days=2), now)})
        if len(rows) >= FLUSH:
            insert_many(Activity.__table__, rows)
            written, rows = written + len(rows), []
    insert_many(Activity.__table__, rows)
    return written + len(rows)


def _stage_ids() -> dict:
    from trainee.training.models import Stage

    return dict(db.session.execute(db.select(Stage.code, Stage.id)).all())
