"""Demo competitions, a team debate with a knock-out bracket, honours and a talent-pool entry; and city-scale
competition entries for benchmarks. The demo goes through the operations (as HR), so it also exercises
the signals, the audit trail and, once present, the points ledger."""
import struct
import zlib
from datetime import timedelta
from io import BytesIO

from werkzeug.datastructures import FileStorage

from trainee.bulk import BulkContext, bulk_step, insert_many
from trainee.competitions import operations as ops
from trainee.competitions.models import (
    Award,
    Competition,
    CompetitionEntry,
    CompetitionKind,
    CompetitionResult,
    Format,
    Level,
    ResultStatus,
)
from trainee.core.time import utcnow
from trainee.demo import DemoContext, demo_step
from trainee.extensions import db
from trainee.org.models import Person


def certificate_png(width: int = 240, height: int = 170) -> bytes:
    """A small real PNG (a red-bordered cream certificate) so demo certificates open as images."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            border = x < 8 or y < 8 or x >= width - 8 or y >= height - 8
            seal = (x - width * 0.78) ** 2 + (y - height * 0.7) ** 2 < 22 ** 2
            bar = 40 <= x < width - 40 and y in range(50, 58) or 60 <= x < width - 60 and y in range(80, 84)
            row += bytes((164, 22, 26) if border or seal else (120, 120, 120) if bar else (253, 248, 236))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def _upload(name: str = "证书.png") -> FileStorage:
    return FileStorage(stream=BytesIO(certificate_png()), filename=name, content_type="image/png")


def _pick(ctx: DemoContext, unit_code: str, count: int, skip: set) -> list:
    chosen = [t for t in ctx.trainees[2:] if t.unit.code == unit_code and t.id not in skip][:count]
    skip.update(t.id for t in chosen)
    return chosen


@demo_step(70)
def demo_competitions(ctx: DemoContext) -> None:
    # The operations commit one by one; not expiring everything after each commit keeps the demo fast.
    # The demo starts with a quiet inbox: the notifications the operations sent are dropped.
    from trainee.notifications.models import Notification

    session = db.session()
    session.expire_on_commit = False
    last_note = db.session.execute(db.select(db.func.max(Notification.id))).scalar() or 0
    try:
        _demo_competitions(ctx)
    finally:
        session.expire_on_commit = True
    db.session.execute(db.delete(Notification).where(Notification.id > last_note))


def _demo_competitions(ctx: DemoContext) -> None:
    hr, hr_yuhu, today = ctx.users["hr"], ctx.users["hr_yuhu"], ctx.today
    trainee, trainee2 = ctx.users["trainee"].person, ctx.users["trainee2"].person
    city = ctx.units["XT"]

    def competition(actor, name, kind, level, organiser, start, end, fmt=Format.INDIVIDUAL, knockout=False,
                    unit=city, description=""):
        return ops.create_competition(actor, {
            "name": name, "kind": kind.name, "level": level.name, "organiser": organiser, "start_date": start,
            "end_date": end, "format": fmt.name, "knockout": knockout, "unit_id": unit.id,
            "description": description})

    # 1. A city-wide selection of legal documents: `trainee` wins a second prize (feeds T5).
    documents = competition(hr, "湘潭市检察机关优秀法律文书评选", CompetitionKind.DOCUMENT, Level.CITY,
                            "湘潭市人民检察院",
                            today - timedelta(days=150), today - timedelta(days=120),
                            description="评选范围：起诉书、不起诉决定书、检察建议书、审查报告。")
    used = set()
    works = [(trainee, "李某涉嫌危险驾驶案起诉书", Award.SECOND)]
    titles = ["张某某盗窃案审查报告", "某公司合同诈骗案不起诉决定书", "王某故意伤害案起诉书",
              "关于规范校园周边食品安全的检察建议书",
              "刘某帮助信息网络犯罪活动案审查报告"]
    awards = [Award.FIRST, Award.THIRD, Award.EXCELLENCE, Award.FINALIST, Award.PARTICIPATION]
    others = _pick(ctx, "XT", 2, used) + _pick(ctx, "YH", 1, used) + _pick(ctx, "YT", 1, used) \
        + _pick(ctx, "XX", 1, used)
    works += list(zip(others, titles, awards, strict=True))
    for person, title, award in works:
        ops.add_entry(hr, documents, person.id, title)
        ops.record_result(hr, documents, person.id, award.name)

    # 2. The city's skills contest for assistants: results for six, `trainee2` entered (no award yet counted).
    skills = competition(hr, "全市检察官助理业务竞赛", CompetitionKind.SKILLS, Level.CITY, "湘潭市人民检察院政治部",
                         today - timedelta(days=40), today - timedelta(days=39),
                         description="笔试（刑法、刑事诉讼法、检察业务）与实务技能（审查报告撰写、出庭答辩）。")
    contestants = _pick(ctx, "XT", 2, used) + _pick(ctx, "YH", 1, used) + _pick(ctx, "YT", 1, used) \
        + _pick(ctx, "XTX", 1, used) + _pick(ctx, "XX", 1, used) + _pick(ctx, "SS", 1, used)
    ops.add_entry(hr, skills, trainee2.id)
    for person, award in zip(contestants, [Award.SPECIAL, Award.FIRST, Award.SECOND, Award.SECOND, Award.THIRD,
                                           Award.THIRD, Award.EXCELLENCE], strict=True):
        ops.add_entry(hr, skills, person.id)
        ops.record_result(hr, skills, person.id, award.name)

    # 3. The team debate: four teams of three, each with a coach (TEAM mentor), a knock-out bracket.
    debate = competition(hr, "全市检察机关团队论辩赛", CompetitionKind.DEBATE, Level.CITY, "湘潭市人民检察院",
                         today - timedelta(days=90), today - timedelta(days=76), Format.TEAM, knockout=True,
                         description="四支代表队，半决赛、决赛两轮淘汰；每场评出最佳辩手。")
    coaches = {"XT": ctx.mentors[3], "YH": ctx.mentors[5], "YT": ctx.mentors[6], "XTX": ctx.mentors[7]}
    names = {"XT": "市院代表队", "YH": "雨湖区院代表队", "YT": "岳塘区院代表队", "XTX": "湘潭县院代表队"}
    teams = {}
    for code, name in names.items():
        team = ops.create_team(hr, debate, name, coaches[code].id, ctx.units[code].id)
        for person in _pick(ctx, code, 3, used):
            ops.add_member(hr, team, person.id)
        teams[code] = team

    def match(round_no, slot, topic, days, aff, neg, winner, best_from):
        ops.add_match(hr, debate, {
            "round_no": round_no, "slot": slot, "topic": topic, "date": today - timedelta(days=days),
            "affirmative_id": teams[aff].id, "negative_id": teams[neg].id, "winner_id": teams[winner].id,
            "best_debater_id": teams[best_from].members[0].person_id})

    match(1, 1, "认罪认罚案件量刑建议应以确定刑为原则", 90, "XT", "XTX", "XT", "XT")
    match(1, 2, "检察公益诉讼诉前程序应以磋商为主", 89, "YH", "YT", "YH", "YT")
    match(2, 1, "数字检察应以类案监督为重点", 76, "XT", "YH", "XT", "YH")
    for code, award in (("XT", Award.FIRST), ("YH", Award.SECOND), ("YT", Award.THIRD), ("XTX", Award.THIRD)):
        ops.record_team_result(hr, teams[code], award.name)

    # 4. A provincial selection of procuratorial suggestions, last year.
    suggestions = competition(hr, "湖南省检察机关优秀检察建议评选", CompetitionKind.SUGGESTION, Level.PROVINCE,
                              "湖南省人民检察院", today - timedelta(days=400), today - timedelta(days=370))
    for person, title, award in zip(_pick(ctx, "YT", 1, used) + _pick(ctx, "XTX", 1, used),
                                    ["关于加强农村自建房安全监管的检察建议", "关于规范网络平台个人信息保护的检察建议"],
                                    [Award.EXCELLENCE, Award.FINALIST], strict=True):
        ops.add_entry(hr, suggestions, person.id, title)
        ops.record_result(hr, suggestions, person.id, award.name)

    # 5. A unit-level contest at 雨湖区院, managed by its own HR.
    drill = competition(hr_yuhu, "雨湖区院岗位练兵·案例研析比赛", CompetitionKind.CASE, Level.UNIT, "雨湖区人民检察院",
                        today - timedelta(days=60), today - timedelta(days=60), unit=ctx.units["YH"])
    for person, award in zip(_pick(ctx, "YH", 2, used), [Award.FIRST, Award.PARTICIPATION], strict=True):
        ops.add_entry(hr_yuhu, drill, person.id, f"{person.name}：一起帮信罪案件的证据审查")
        ops.record_result(hr_yuhu, drill, person.id, award.name)

    # 6. What the trainees reported: an external result and an honour waiting for HR.
    reporter = _pick(ctx, "SS", 1, used)[0]
    ops.report_external(ctx.users[reporter.user.username], reporter, {
        "name": "湖南省检察机关案例研析大赛", "kind": "CASE", "level": "PROVINCE", "organiser": "湖南省人民检察院",
        "date": today - timedelta(days=20), "award": "THIRD", "work_title": "醉驾案件“情节显著轻微”的认定"},
        _upload("案例研析大赛三等奖.png"))
    honoured = _pick(ctx, "XX", 1, used)[0]
    ops.create_honour(ctx.users[honoured.user.username], honoured, {
        "title": "业务能手", "level": "UNIT", "date": today - timedelta(days=15), "issuer": "湘乡市人民检察院"},
        _upload("业务能手.png"))

    # Honours and the talent pool, entered by HR (verified at once).
    ops.create_honour(hr, trainee, {"title": "优秀检察官助理", "level": "CITY", "date": today - timedelta(days=200),
                                    "issuer": "湘潭市人民检察院"}, _upload("优秀检察官助理.png"))
    senior = sorted(ctx.trainees[2:], key=lambda t: t.hire_date)[:2]
    ops.create_honour(hr, senior[0], {"title": "检察业务标兵", "level": "PROVINCE",
                                      "date": today - timedelta(days=300), "issuer": "湖南省人民检察院"})
    ops.create_talent_entry(hr, senior[0], {"level": "PROVINCE", "field": "刑事检察",
                                            "date": today - timedelta(days=280), "issuer": "湖南省人民检察院"})
    ops.create_honour(hr, senior[1], {"title": "业务能手", "level": "CITY", "date": today - timedelta(days=330),
                                      "issuer": "湘潭市人民检察院"})


@bulk_step(70)
def bulk_competition_entries(ctx: BulkContext) -> int:
    """Per year: three city-level selections and one contest per unit; entries for about 40% of trainees
    per competition they are eligible for, a verified result for about half of the entries."""
    rng, now = ctx.rng, utcnow()
    by_unit = {}
    for pid, unit_id in db.session.execute(db.select(Person.id, Person.unit_id)
                                           .where(Person.id.in_(ctx.trainee_ids))).all():
        by_unit.setdefault(unit_id, []).append(pid)
    city = ctx.unit_ids[0]
    competitions = []
    for year_back in range(ctx.years):
        year = ctx.today.year - year_back
        for index, kind in enumerate((CompetitionKind.DOCUMENT, CompetitionKind.CASE, CompetitionKind.SKILLS)):
            start = ctx.today.replace(year=year, month=3 + index * 3, day=10) if year_back else \
                ctx.today - timedelta(days=30 + index * 60)
            competitions.append({"name": f"{year}年全市{ops.zh(kind)}", "kind": kind.name, "level": Level.CITY.name,
                                 "organiser": "测试市人民检察院", "start_date": start,
                                 "end_date": start + timedelta(days=20), "format": Format.INDIVIDUAL.name,
                                 "knockout": False, "description": "", "unit_id": city,
                                 "created_at": now, "updated_at": now})
        for unit_id in ctx.unit_ids[1:]:
            start = ctx.today.replace(year=year, month=6, day=1) if year_back else ctx.today - timedelta(days=10)
            competitions.append({"name": f"{year}年岗位练兵", "kind": CompetitionKind.SKILLS.name,
                                 "level": Level.UNIT.name, "organiser": "区院", "start_date": start,
                                 "end_date": start + timedelta(days=1), "format": Format.INDIVIDUAL.name,
                                 "knockout": False, "description": "", "unit_id": unit_id,
                                 "created_at": now, "updated_at": now})
    insert_many(Competition.__table__, competitions)
    rows = db.session.execute(db.select(Competition.id, Competition.unit_id, Competition.level,
                                        Competition.end_date)).all()
    entries, planned = [], []
    for comp_id, unit_id, level, end in rows:
        pool = ctx.trainee_ids if unit_id == city else by_unit.get(unit_id, [])
        for pid in pool:
            if rng.random() < 0.4:
                entries.append({"competition_id": comp_id, "person_id": pid, "work_title": None,
                                "created_at": now, "updated_at": now})
                if rng.random() < 0.5:
                    planned.append((comp_id, pid, level, end))
    insert_many(CompetitionEntry.__table__, entries)
    entry_ids = {(c, p): i for i, c, p in db.session.execute(
        db.select(CompetitionEntry.id, CompetitionEntry.competition_id, CompetitionEntry.person_id))}
    awards = list(Award)
    weights = [1, 3, 6, 10, 15, 10, 55]
    results = [{"entry_id": entry_ids[(c, p)], "competition_id": c, "person_id": p,
                "award": rng.choices(awards, weights)[0].name, "level": level.name, "date": end,
                "status": ResultStatus.VERIFIED.name, "recorded_at": now, "verified_at": now}
               for c, p, level, end in planned]
    insert_many(CompetitionResult.__table__, results)
    return len(competitions) + len(entries) + len(results)
