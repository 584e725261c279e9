"""Every change to competitions, teams, matches, results, honours and talent-pool entries.

Each operation: policy.require → validate → mutate → audit.record → commit (one transaction).
Results that count send `competition_result_recorded` inside the transaction; a correction sends
`competition_result_corrected` for the result that stops counting (the points ledger writes the
reversing entry), then records the replacement. Honours and talent-pool entries send
`honour_verified` / `honour_revoked` the same way.
"""
from datetime import date

from flask import url_for

from trainee import audit, policy, signals
from trainee.competitions import certificates
from trainee.competitions.models import (
    Award,
    Competition,
    CompetitionEntry,
    CompetitionKind,
    CompetitionResult,
    Format,
    Honour,
    Level,
    Match,
    ResultStatus,
    TalentEntry,
    TalentLevel,
    Team,
    VerifyStatus,
)
from trainee.core.errors import NotFound, ValidationFailed
from trainee.core.ops import transaction
from trainee.core.time import local_today, utcnow
from trainee.extensions import db
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.notifications import notify
from trainee.org.models import Person, Unit

COMPETITION_FIELDS = ("name", "kind", "level", "organiser", "start_date", "end_date", "format", "knockout",
                      "description", "unit_id")
RESULT_FIELDS = ("person_id", "competition_id", "team_id", "award", "level", "date", "status", "close_reason")
MATCH_FIELDS = ("round_no", "slot", "topic", "date", "affirmative_id", "negative_id", "winner_id", "best_debater_id")
HONOUR_FIELDS = ("person_id", "title", "level", "date", "issuer", "status", "close_reason")
TALENT_FIELDS = ("person_id", "level", "field", "date", "issuer", "status", "close_reason")


def zh(member) -> str:
    """The Chinese label of an enum member (its msgid), for stored text: audit summaries and notifications."""
    label = member.label
    return label._args[0] if getattr(label, "_args", None) else str(label)


AWARD_LIST = "、".join(zh(a) for a in Award)


# --- validation helpers ------------------------------------------------------------------------------

def _fail(field: str, message: str):
    raise ValidationFailed(message, {field: [message]})


def _text(data: dict, field: str, label: str, max_len: int, required: bool = True) -> str | None:
    value = data.get(field)
    value = value.strip() if isinstance(value, str) else value
    if not value:
        if required:
            _fail(field, f"请填写{label}。")
        return None
    if not isinstance(value, str):
        _fail(field, f"{label}须为文字。")
    if len(value) > max_len:
        _fail(field, f"{label}不超过 {max_len} 个字符。")
    if "<" in value or ">" in value:
        _fail(field, f"{label}不能包含尖括号等标记字符。")
    return value


def _enum(enum_cls, value, field: str, message: str):
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str) and value in enum_cls.__members__:
        return enum_cls[value]
    _fail(field, message)


def parse_award(value, field: str = "award") -> Award:
    return _enum(Award, value, field, f"奖项须为以下之一：{AWARD_LIST}。")


def _date(value, field: str, label: str, *, required: bool = True, not_future: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            _fail(field, f"请填写{label}。")
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            _fail(field, f"{label}不是有效日期（YYYY-MM-DD）。")
    if not isinstance(value, date) or value.year < 1990 or value.year > 2100:
        _fail(field, f"{label}不是有效日期。")
    if not_future and value > local_today():
        _fail(field, f"{label}不能晚于今天。")
    return value


def _reason(reason) -> str:
    return _text({"reason": reason}, "reason", "原因", 300)


def _person(person_id, field: str = "person_id") -> Person:
    person = db.session.get(Person, person_id) if isinstance(person_id, int) else person_id
    if not isinstance(person, Person):
        _fail(field, "所选人员不存在。")
    return person


def _entry_of(competition: Competition, person: Person) -> CompetitionEntry | None:
    return db.session.execute(db.select(CompetitionEntry).where(
        CompetitionEntry.competition_id == competition.id, CompetitionEntry.person_id == person.id)
    ).scalar_one_or_none()


# --- competitions ------------------------------------------------------------------------------------

def _competition_data(actor, data: dict, competition: Competition | None) -> dict:
    clean = {
        "name": _text(data, "name", "竞赛名称", 120),
        "kind": _enum(CompetitionKind, data.get("kind"), "kind", "请选择竞赛类别。"),
        "level": _enum(Level, data.get("level"), "level", "请选择级别（院级、市级、省级、全国）。"),
        "organiser": _text(data, "organiser", "主办单位", 120),
        "start_date": _date(data.get("start_date"), "start_date", "开始日期"),
        "end_date": _date(data.get("end_date"), "end_date", "结束日期", required=False),
        "format": _enum(Format, data.get("format") or "INDIVIDUAL", "format", "请选择个人赛或团队赛。"),
        "knockout": bool(data.get("knockout")),
        "description": _text(data, "description", "说明", 2000, required=False) or "",
    }
    if clean["end_date"] and clean["end_date"] < clean["start_date"]:
        _fail("end_date", "结束日期不能早于开始日期。")
    if clean["knockout"] and clean["format"] is not Format.TEAM:
        _fail("knockout", "只有团队赛才能采用淘汰赛制。")
    unit_id = data.get("unit_id") or (competition.unit_id if competition else actor.unit_id)
    unit = db.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
    if unit is None or not policy.in_unit_scope(actor, unit):
        _fail("unit_id", "所选单位不在您的管理范围内。")
    clean["unit_id"] = unit.id
    if competition is not None:
        has_results = db.session.execute(db.select(CompetitionResult.id).where(
            CompetitionResult.competition_id == competition.id).limit(1)).first() is not None
        if has_results and (clean["level"] is not competition.level or clean["format"] is not competition.format):
            _fail("level", "已登记结果的竞赛不能修改级别或个人/团队形式；如确有错误，请先更正结果。")
        if clean["format"] is not competition.format and competition.entries:
            _fail("format", "已有参赛人员的竞赛不能修改个人/团队形式。")
    return clean


def create_competition(actor, data: dict) -> Competition:
    policy.require(actor, "competition.manage")
    clean = _competition_data(actor, data, None)
    competition = Competition(**clean, created_by_id=actor.id)
    with transaction():
        db.session.add(competition)
        db.session.flush()
        audit.record("competition.created", competition, after=audit.snapshot(competition, COMPETITION_FIELDS),
                     summary=f"新建竞赛 {competition.name}", actor=actor)
    return competition


def update_competition(actor, competition: Competition, data: dict) -> Competition:
    policy.require(actor, "competition.manage", competition)
    if competition.is_external:
        _fail("name", "个人申报的外部竞赛请在核实时处理，不在此修改。")
    clean = _competition_data(actor, data, competition)
    before = audit.snapshot(competition, COMPETITION_FIELDS)
    with transaction():
        for key, value in clean.items():
            setattr(competition, key, value)
        db.session.flush()
        audit.record("competition.updated", competition, before=before,
                     after=audit.snapshot(competition, COMPETITION_FIELDS), summary=f"修改竞赛 {competition.name}",
                     actor=actor)
    return competition


# --- individual entries and results ------------------------------------------------------------------

def _check_can_enter(actor, competition: Competition, person: Person) -> None:
    policy.require(actor, "competition.manage", competition)
    if not policy.can(actor, "competition.enter", person):
        _fail("person_id", "所选人员不在您的管理范围内。")
    if not person.is_trainee:
        _fail("person_id", f"{person.name} 不是检察官助理，不能报名。")
    if not policy.in_unit_scope(actor, person.unit) or not person.unit.path.startswith(competition.unit.path):
        _fail("person_id", f"{person.name} 不属于本竞赛的主办范围。")
    existing = _entry_of(competition, person)
    if existing is not None:
        where = f"「{existing.team.name}」队" if existing.team else "本竞赛"
        _fail("person_id", f"{person.name} 已是{where}的参赛人员；同一竞赛中一人只能报名一次、只能属于一个队。")


def add_entry(actor, competition: Competition, person_id, work_title: str | None = None) -> CompetitionEntry:
    person = _person(person_id)
    if competition.is_team:
        _fail("person_id", "团队赛请在队伍中添加队员。")
    _check_can_enter(actor, competition, person)
    title = _text({"work_title": work_title}, "work_title", "参赛作品题目", 200, required=False)
    entry = CompetitionEntry(competition=competition, person=person, work_title=title)
    with transaction():
        db.session.add(entry)
        db.session.flush()
        audit.record("competition.entry_added", entry, after={"person_id": person.id, "work_title": title},
                     summary=f"{competition.name}：报名 {person.name}", unit_id=person.unit_id, actor=actor)
    return entry


def _send_recorded(result: CompetitionResult, actor) -> None:
    signals.competition_result_recorded.send(
        result, actor=actor, person=result.person, level=result.level, award=result.award, team=result.team,
        date=result.date)


def _new_result(entry: CompetitionEntry, award: Award, actor, *, status=ResultStatus.VERIFIED, replaces=None,
                certificate=None, on=None) -> CompetitionResult:
    competition = entry.competition
    result = CompetitionResult(entry=entry, competition=competition, person=entry.person, team=entry.team,
                               award=award, level=competition.level, date=on or competition.result_date,
                               status=status, recorded_by_id=getattr(actor, "id", None), replaces=replaces,
                               certificate=certificate)
    if status is ResultStatus.VERIFIED:
        result.verified_at, result.verified_by_id = utcnow(), getattr(actor, "id", None)
    db.session.add(result)
    db.session.flush()
    audit.record("competition.result_recorded", result, after=audit.snapshot(result, RESULT_FIELDS),
                 summary=f"{competition.name}：{entry.person.name} {zh(award)}", unit_id=entry.person.unit_id,
                 actor=actor)
    if status is ResultStatus.VERIFIED:
        _send_recorded(result, actor)
        notify(entry.person, "competition.result", f"{competition.name}：您获得{zh(award)}，已记入成长档案。",
               link=_record_link(entry.person))
    return result


def _record_link(person) -> str | None:
    try:
        return url_for("competitions.record", person_id=person.id)
    except RuntimeError:  # outside a request (demo, CLI)
        return None


def record_result(actor, competition: Competition, person_id, award, on=None) -> CompetitionResult:
    """Record the award of an entered person (individual competitions)."""
    policy.require(actor, "competition.manage", competition)
    person = _person(person_id)
    award = parse_award(award)
    entry = _entry_of(competition, person)
    if entry is None:
        _fail("person_id", f"{person.name} 未报名「{competition.name}」，不能登记结果。请先报名。")
    if entry.team_id is not None:
        _fail("person_id", "团队赛的结果按队伍登记，会自动记给每名队员。")
    if entry.current_result is not None:
        _fail("award", f"{person.name} 已有结果（{zh(entry.current_result.award)}）；如有错误，请使用“更正”。")
    on = _date(on, "date", "获奖日期", required=False, not_future=True)
    with transaction():
        result = _new_result(entry, award, actor, on=on)
    return result


def _close(result: CompetitionResult, status: ResultStatus, actor, reason: str) -> None:
    before = audit.snapshot(result, RESULT_FIELDS)
    was_counting = result.status is ResultStatus.VERIFIED
    result.status, result.closed_at, result.closed_by_id, result.close_reason = status, utcnow(), actor.id, reason
    db.session.flush()
    action = "competition.result_corrected" if status is ResultStatus.CORRECTED else "competition.result_rejected"
    audit.record(action, result, before=before, after=audit.snapshot(result, RESULT_FIELDS),
                 summary=f"{result.competition.name}：{result.person.name} {zh(result.award)}（{reason}）",
                 unit_id=result.person.unit_id, actor=actor)
    return was_counting


def _correct(actor, result: CompetitionResult, new_award: Award | None, reason: str) -> CompetitionResult | None:
    was_counting = _close(result, ResultStatus.CORRECTED, actor, reason)
    replacement = None
    if new_award is not None:
        replacement = _new_result(result.entry, new_award, actor, replaces=result, on=result.date,
                                  certificate=result.certificate)
    if was_counting:
        signals.competition_result_corrected.send(result, actor=actor, reason=reason, replacement=replacement,
                                                  person=result.person, level=result.level, award=result.award,
                                                  team=result.team, date=result.date)
    text = (f"{result.competition.name}：您的结果由{zh(result.award)}更正为{zh(new_award)}。" if new_award
            else f"{result.competition.name}：您的结果（{zh(result.award)}）已撤销：{reason}")
    notify(result.person, "competition.corrected", text, link=_record_link(result.person))
    return replacement


def correct_result(actor, result: CompetitionResult, new_award, reason) -> CompetitionResult | None:
    """Correct an individual result: the old one stops counting (a reversing entry), the new one counts.
    Without a new award the result is withdrawn."""
    policy.require(actor, "competition.verify", result.person)
    if result.status is not ResultStatus.VERIFIED:
        _fail("award", "只能更正有效的结果。")
    if result.team_id is not None:
        _fail("award", "团队赛的结果按队伍更正。")
    new_award = parse_award(new_award) if new_award not in (None, "") else None
    if new_award is result.award:
        _fail("award", "新奖项与原奖项相同，无需更正。")
    reason = _reason(reason)
    with transaction():
        replacement = _correct(actor, result, new_award, reason)
    return replacement


# --- teams -------------------------------------------------------------------------------------------

def _check_coach(coach_id) -> Person | None:
    if coach_id in (None, ""):
        return None
    coach = _person(coach_id, "coach_id")
    if coach.is_trainee:
        _fail("coach_id", "团队导师须为员额检察官等导师，不能是检察官助理。")
    return coach


def _open_team_assignment(team: Team, member: Person, coach: Person, actor) -> None:
    assignment = MentorAssignment(trainee=member, mentor=coach, kind=AssignmentKind.TEAM, start_date=local_today(),
                                  reason=f"团队导师：{team.competition.name} · {team.name}"[:200])
    db.session.add(assignment)
    db.session.flush()
    audit.record("mentoring.team_assigned", assignment, after={"trainee_id": member.id, "mentor_id": coach.id,
                                                               "kind": "TEAM"},
                 summary=f"{coach.name} 任 {member.name} 的团队导师（{team.name}）", unit_id=member.unit_id,
                 actor=actor)


def _close_team_assignments(team: Team, coach_id: int, actor, reason: str) -> None:
    member_ids = [m.person_id for m in team.members]
    if not member_ids:
        return
    open_rows = db.session.execute(db.select(MentorAssignment).where(
        MentorAssignment.kind == AssignmentKind.TEAM, MentorAssignment.mentor_id == coach_id,
        MentorAssignment.trainee_id.in_(member_ids), MentorAssignment.end_date.is_(None))).scalars()
    for assignment in open_rows:
        assignment.end_date, assignment.end_reason = local_today(), reason
        audit.record("mentoring.team_ended", assignment, after={"end_reason": reason},
                     summary=f"结束团队导师关系（{team.name}）", unit_id=assignment.trainee.unit_id, actor=actor)


def create_team(actor, competition: Competition, name, coach_id=None, unit_id=None) -> Team:
    policy.require(actor, "competition.manage", competition)
    if not competition.is_team:
        _fail("name", "个人赛没有队伍。")
    name = _text({"name": name}, "name", "队名", 60)
    if any(t.name == name for t in competition.teams):
        _fail("name", f"本竞赛已有名为「{name}」的队伍。")
    coach = _check_coach(coach_id)
    unit = db.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
    if unit_id not in (None, "") and (unit is None or not policy.in_unit_scope(actor, unit)):
        _fail("unit_id", "所选单位不在您的管理范围内。")
    team = Team(competition=competition, name=name, coach=coach, unit=unit)
    with transaction():
        db.session.add(team)
        db.session.flush()
        audit.record("competition.team_created", team, after={"name": name, "coach_id": coach.id if coach else None},
                     summary=f"{competition.name}：组建队伍 {name}", unit_id=competition.unit_id, actor=actor)
    return team


def add_member(actor, team: Team, person_id) -> CompetitionEntry:
    competition = team.competition
    person = _person(person_id)
    _check_can_enter(actor, competition, person)
    if any(m.current_result for m in team.members):
        _fail("person_id", "该队已登记结果，不能再添加队员。")
    entry = CompetitionEntry(competition=competition, person=person, team=team)
    with transaction():
        db.session.add(entry)
        db.session.flush()
        audit.record("competition.member_added", entry, after={"person_id": person.id, "team_id": team.id},
                     summary=f"{competition.name}：{person.name} 加入 {team.name}", unit_id=person.unit_id, actor=actor)
        if team.coach is not None:
            _open_team_assignment(team, person, team.coach, actor)
    return entry


def set_coach(actor, team: Team, coach_id) -> Team:
    policy.require(actor, "competition.manage", team.competition)
    coach = _check_coach(coach_id)
    if coach is None:
        _fail("coach_id", "请选择团队导师。")
    if team.coach_id == coach.id:
        return team
    with transaction():
        if team.coach_id is not None:
            _close_team_assignments(team, team.coach_id, actor, "更换团队导师")
        before = {"coach_id": team.coach_id}
        team.coach = coach
        for member in team.members:
            _open_team_assignment(team, member.person, coach, actor)
        audit.record("competition.team_coach_set", team, before=before, after={"coach_id": coach.id},
                     summary=f"{team.name}：团队导师 {coach.name}", unit_id=team.competition.unit_id, actor=actor)
    return team


def record_team_result(actor, team: Team, award, on=None) -> list[CompetitionResult]:
    """A team's award reaches each member once (one entry per member per competition)."""
    policy.require(actor, "competition.manage", team.competition)
    award = parse_award(award)
    if not team.members:
        _fail("award", f"「{team.name}」还没有队员，不能登记结果。")
    if any(m.current_result for m in team.members):
        _fail("award", f"「{team.name}」已登记结果；如有错误，请使用“更正”。")
    on = _date(on, "date", "获奖日期", required=False, not_future=True)
    with transaction():
        results = [_new_result(member, award, actor, on=on) for member in team.members]
        audit.record("competition.team_result", team, after={"award": award.name, "members": len(results)},
                     summary=f"{team.competition.name}：{team.name} {zh(award)}", unit_id=team.competition.unit_id,
                     actor=actor)
    return results


def correct_team_result(actor, team: Team, new_award, reason) -> list[CompetitionResult]:
    policy.require(actor, "competition.manage", team.competition)
    current = [m.current_result for m in team.members if m.current_result is not None]
    if not current:
        _fail("award", f"「{team.name}」还没有结果可更正。")
    new_award = parse_award(new_award) if new_award not in (None, "") else None
    if new_award is not None and all(r.award is new_award for r in current):
        _fail("award", "新奖项与原奖项相同，无需更正。")
    reason = _reason(reason)
    with transaction():
        replacements = [_correct(actor, result, new_award, reason) for result in current]
    return [r for r in replacements if r is not None]


# --- matches -----------------------------------------------------------------------------------------

def _team_in(competition: Competition, team_id, field: str, required: bool = True) -> Team | None:
    if team_id in (None, ""):
        if required:
            _fail(field, "请选择队伍。")
        return None
    team = db.session.get(Team, team_id) if isinstance(team_id, int) else None
    if team is None or team.competition_id != competition.id:
        _fail(field, "所选队伍不属于本竞赛。")
    return team


def _int_in(value, field: str, label: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _fail(field, f"{label}须为 {low}–{high} 的整数。")
    return value


def _outcome(competition, affirmative: Team, negative: Team, winner_id, best_debater_id):
    winner = _team_in(competition, winner_id, "winner_id", required=False)
    if winner is not None and winner.id not in (affirmative.id, negative.id):
        _fail("winner_id", "获胜方须为参赛的正方或反方。")
    best = None
    if best_debater_id not in (None, ""):
        best = _person(best_debater_id, "best_debater_id")
        members = {m.person_id for m in affirmative.members} | {m.person_id for m in negative.members}
        if best.id not in members:
            _fail("best_debater_id", "最佳辩手须为本场两队的队员。")
    return winner, best


def add_match(actor, competition: Competition, data: dict) -> Match:
    policy.require(actor, "competition.manage", competition)
    if not competition.is_team:
        _fail("affirmative_id", "只有团队赛才有对垒场次。")
    affirmative = _team_in(competition, data.get("affirmative_id"), "affirmative_id")
    negative = _team_in(competition, data.get("negative_id"), "negative_id")
    if affirmative.id == negative.id:
        _fail("negative_id", "一场对垒须在两支不同的队伍之间进行，不能与自己对阵。")
    topic = _text(data, "topic", "辩题", 200)
    on = _date(data.get("date"), "date", "比赛日期")
    round_no = _int_in(data.get("round_no") or 1, "round_no", "轮次", 1, 10)
    slot = _int_in(data.get("slot") or 1, "slot", "场次序号", 1, 64)
    winner, best = _outcome(competition, affirmative, negative, data.get("winner_id"), data.get("best_debater_id"))
    if winner is not None and on > local_today():
        _fail("winner_id", "比赛尚未进行，不能登记获胜方。")
    match = Match(competition=competition, round_no=round_no, slot=slot, topic=topic, date=on,
                  affirmative=affirmative, negative=negative, winner=winner, best_debater=best)
    with transaction():
        db.session.add(match)
        db.session.flush()
        audit.record("competition.match_added", match, after=audit.snapshot(match, MATCH_FIELDS),
                     summary=f"{competition.name}：{affirmative.name}（正方）对 {negative.name}（反方）",
                     unit_id=competition.unit_id, actor=actor)
    return match


def set_match_outcome(actor, match: Match, winner_id, best_debater_id=None) -> Match:
    competition = match.competition
    policy.require(actor, "competition.manage", competition)
    if winner_id in (None, ""):
        _fail("winner_id", "请选择获胜方。")
    if match.date > local_today():
        _fail("winner_id", "比赛尚未进行，不能登记获胜方。")
    winner, best = _outcome(competition, match.affirmative, match.negative, winner_id, best_debater_id)
    before = audit.snapshot(match, MATCH_FIELDS)
    with transaction():
        match.winner, match.best_debater = winner, best
        db.session.flush()
        audit.record("competition.match_outcome", match, before=before, after=audit.snapshot(match, MATCH_FIELDS),
                     summary=f"{competition.name}：{winner.name} 获胜", unit_id=competition.unit_id, actor=actor)
    return match


# --- trainee reports and HR verification -------------------------------------------------------------

def report_external(actor, person: Person, data: dict, upload) -> CompetitionResult:
    """A trainee reports an external competition result with a certificate; it counts once HR verifies it."""
    policy.require(actor, "competition.report", person)
    clean = {
        "name": _text(data, "name", "竞赛名称", 120),
        "kind": _enum(CompetitionKind, data.get("kind"), "kind", "请选择竞赛类别。"),
        "level": _enum(Level, data.get("level"), "level", "请选择级别（院级、市级、省级、全国）。"),
        "organiser": _text(data, "organiser", "主办单位", 120),
    }
    on = _date(data.get("date"), "date", "获奖日期", not_future=True)
    award = parse_award(data.get("award"))
    title = _text(data, "work_title", "参赛作品题目", 200, required=False)
    checked = certificates.check(upload) if upload is not None else _fail("certificate", "请上传获奖证书作为证明。")
    with transaction():
        competition = Competition(**clean, start_date=on, end_date=on, format=Format.INDIVIDUAL,
                                  unit_id=person.unit_id, reported_by=person, created_by_id=actor.id)
        entry = CompetitionEntry(competition=competition, person=person, work_title=title)
        db.session.add_all([competition, entry])
        db.session.flush()
        certificate = certificates.store(checked, person, actor)
        result = _new_result(entry, award, actor, status=ResultStatus.PENDING, certificate=certificate, on=on)
        audit.record("competition.reported", competition, after=audit.snapshot(competition, COMPETITION_FIELDS),
                     summary=f"{person.name} 申报 {competition.name} {zh(award)}", unit_id=person.unit_id,
                     actor=actor)
    return result


def verify_result(actor, result: CompetitionResult) -> CompetitionResult:
    policy.require(actor, "competition.verify", result.person)
    if result.status is not ResultStatus.PENDING:
        _fail("status", "该结果不在待核实状态。")
    before = audit.snapshot(result, RESULT_FIELDS)
    with transaction():
        result.status, result.verified_at, result.verified_by_id = ResultStatus.VERIFIED, utcnow(), actor.id
        db.session.flush()
        audit.record("competition.result_verified", result, before=before,
                     after=audit.snapshot(result, RESULT_FIELDS),
                     summary=f"核实 {result.person.name}：{result.competition.name} {zh(result.award)}",
                     unit_id=result.person.unit_id, actor=actor)
        _send_recorded(result, actor)
        notify(result.person, "competition.verified",
               f"您申报的{result.competition.name}（{zh(result.award)}）已核实。", link=_record_link(result.person))
    return result


def reject_result(actor, result: CompetitionResult, reason) -> CompetitionResult:
    policy.require(actor, "competition.verify", result.person)
    if result.status is not ResultStatus.PENDING:
        _fail("status", "该结果不在待核实状态。")
    reason = _reason(reason)
    with transaction():
        _close(result, ResultStatus.REJECTED, actor, reason)
        notify(result.person, "competition.rejected", f"您申报的{result.competition.name}未通过核实：{reason}",
               link=_record_link(result.person))
    return result


# --- honours and talent pool -------------------------------------------------------------------------

def _verified_record(model, fields, actor, person: Person, clean: dict, upload, *, action: str, summary: str):
    """Create an honour / talent entry: HR's entries count at once, a trainee's wait for HR."""
    by_hr = policy.can(actor, "competition.verify", person)
    if not by_hr:
        policy.require(actor, "competition.report", person)
        if upload is None:
            _fail("certificate", "请上传证书作为证明。")
    checked = certificates.check(upload) if upload is not None else None
    with transaction():
        record = model(person=person, reported_by_id=actor.id, status=VerifyStatus.PENDING, **clean)
        db.session.add(record)
        db.session.flush()
        if checked is not None:
            record.certificate = certificates.store(checked, person, actor)
        audit.record(action, record, after=audit.snapshot(record, fields), summary=summary, unit_id=person.unit_id,
                     actor=actor)
        if by_hr:
            _verify(actor, record, fields)
    return record


def _verify(actor, record, fields) -> None:
    before = audit.snapshot(record, fields)
    record.status, record.verified_at, record.verified_by_id = VerifyStatus.VERIFIED, utcnow(), actor.id
    db.session.flush()
    audit.record(f"{type(record).__name__.lower()}.verified", record, before=before,
                 after=audit.snapshot(record, fields), summary=f"核实 {record.person.name}：{_title(record)}",
                 unit_id=record.person.unit_id, actor=actor)
    signals.honour_verified.send(record, actor=actor, person=record.person, level=record.level)
    notify(record.person, "honour.verified", f"{_title(record)} 已核实，记入成长档案。",
           link=_record_link(record.person))


def _title(record) -> str:
    if isinstance(record, Honour):
        return f"{zh(record.level)}{record.title}"
    return f"{zh(record.level)}（{record.field}）"


def create_honour(actor, person: Person, data: dict, upload=None) -> Honour:
    clean = {"title": _text(data, "title", "荣誉称号", 100),
             "level": _enum(Level, data.get("level"), "level", "请选择级别（院级、市级、省级、全国）。"),
             "date": _date(data.get("date"), "date", "授予日期", not_future=True),
             "issuer": _text(data, "issuer", "授予单位", 120)}
    return _verified_record(Honour, HONOUR_FIELDS, actor, person, clean, upload, action="honour.created",
                            summary=f"{person.name}：{clean['title']}")


def create_talent_entry(actor, person: Person, data: dict, upload=None) -> TalentEntry:
    clean = {"level": _enum(TalentLevel, data.get("level"), "level", "请选择人才库级别（全国或省级）。"),
             "field": _text(data, "field", "专业领域", 100),
             "date": _date(data.get("date"), "date", "入库日期", not_future=True),
             "issuer": _text(data, "issuer", "发文单位", 120, required=False)}
    return _verified_record(TalentEntry, TALENT_FIELDS, actor, person, clean, upload, action="talententry.created",
                            summary=f"{person.name}：{zh(clean['level'])} {clean['field']}")


def _fields_of(record):
    return HONOUR_FIELDS if isinstance(record, Honour) else TALENT_FIELDS


def verify_record(actor, record) -> object:
    policy.require(actor, "competition.verify", record.person)
    if record.status is not VerifyStatus.PENDING:
        _fail("status", "该记录不在待核实状态。")
    with transaction():
        _verify(actor, record, _fields_of(record))
    return record


def close_record(actor, record, reason) -> object:
    """Reject a pending honour / talent entry, or revoke a verified one (a reversing entry in the ledger)."""
    policy.require(actor, "competition.verify", record.person)
    if record.status not in (VerifyStatus.PENDING, VerifyStatus.VERIFIED):
        _fail("status", "该记录已撤销或未通过核实。")
    reason = _reason(reason)
    fields = _fields_of(record)
    before = audit.snapshot(record, fields)
    was_counting = record.status is VerifyStatus.VERIFIED
    with transaction():
        record.status = VerifyStatus.REVOKED if was_counting else VerifyStatus.REJECTED
        record.closed_at, record.closed_by_id, record.close_reason = utcnow(), actor.id, reason
        db.session.flush()
        audit.record(f"{type(record).__name__.lower()}.{'revoked' if was_counting else 'rejected'}", record,
                     before=before, after=audit.snapshot(record, fields), summary=f"{_title(record)}：{reason}",
                     unit_id=record.person.unit_id, actor=actor)
        if was_counting:
            signals.honour_revoked.send(record, actor=actor, reason=reason, person=record.person, level=record.level)
        outcome = "已撤销" if was_counting else "未通过核实"
        notify(record.person, "honour.closed", f"{_title(record)} {outcome}：{reason}",
               link=_record_link(record.person))
    return record


def get_or_404(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound("记录不存在，或您无权查看。")
    return obj


__all__ = ["Award", "Level", "TalentLevel"]
