"""Read side: visible competitions, a person's record, the season table, the bracket and HR's yearly summary."""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import extract, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from trainee import policy
from trainee.auth.models import Role
from trainee.competitions.models import (
    Award,
    Competition,
    CompetitionEntry,
    CompetitionResult,
    Honour,
    Level,
    ResultStatus,
    TalentEntry,
    Team,
    VerifyStatus,
)
from trainee.extensions import db
from trainee.org.models import Person, Unit


def visible_competitions_filter(user):
    """Competitions of the user's unit, its ancestors (city-wide events) and, for HR and admin, its children
    (the same rule as policy `competition.view`).
    External (trainee-reported) competitions appear only in personal records, not in the list."""
    ancestors_and_self = [int(p) for p in user.unit.path.strip("/").split("/") if p]
    condition = Competition.unit_id.in_(ancestors_and_self)
    if user.has_role(Role.HR, Role.ADMIN):
        condition = or_(condition,
                        Competition.unit_id.in_(select(Unit.id).where(Unit.path.startswith(user.unit.path))))
    if user.has_role(Role.ADMIN) and user.unit.parent_id is None:
        condition = Competition.id.isnot(None)
    return condition & Competition.reported_by_id.is_(None)


def competitions_for(user, year: int | None = None, level: str | None = None, kind: str | None = None):
    query = (select(Competition).where(visible_competitions_filter(user))
             .options(joinedload(Competition.unit)).order_by(Competition.start_date.desc(), Competition.id.desc()))
    if year:
        query = query.where(extract("year", Competition.start_date) == year)
    if level:
        query = query.where(Competition.level == level)
    if kind:
        query = query.where(Competition.kind == kind)
    competitions = db.session.execute(query).scalars().all()
    ids = [c.id for c in competitions]
    counts = dict(db.session.execute(select(CompetitionEntry.competition_id, func.count(CompetitionEntry.id))
                                     .where(CompetitionEntry.competition_id.in_(ids))
                                     .group_by(CompetitionEntry.competition_id)).all()) if ids else {}
    awarded = dict(db.session.execute(select(CompetitionResult.competition_id, func.count(CompetitionResult.id))
                                      .where(CompetitionResult.competition_id.in_(ids),
                                             CompetitionResult.status == ResultStatus.VERIFIED)
                                      .group_by(CompetitionResult.competition_id)).all()) if ids else {}
    return [(c, counts.get(c.id, 0), awarded.get(c.id, 0)) for c in competitions]


def competition_years(user) -> list[int]:
    years = db.session.execute(select(extract("year", Competition.start_date)).where(
        visible_competitions_filter(user)).distinct()).scalars().all()
    return sorted({int(y) for y in years}, reverse=True)


def load_competition(competition_id: int) -> Competition | None:
    return db.session.execute(select(Competition).where(Competition.id == competition_id).options(
        selectinload(Competition.entries).selectinload(CompetitionEntry.results),
        selectinload(Competition.entries).joinedload(CompetitionEntry.person).joinedload(Person.unit),
        selectinload(Competition.teams).joinedload(Team.coach),
        selectinload(Competition.matches))).scalar_one_or_none()


# --- team face-offs ----------------------------------------------------------------------------------

@dataclass
class TableRow:
    team: Team
    played: int = 0
    wins: int = 0
    losses: int = 0
    best_debaters: int = 0


def season_table(competition: Competition) -> list[TableRow]:
    rows = {team.id: TableRow(team) for team in competition.teams}
    best_team = {m.person_id: m.team_id for m in competition.entries if m.team_id}
    for match in competition.matches:
        if match.winner_id is None:
            continue
        for team_id in (match.affirmative_id, match.negative_id):
            rows[team_id].played += 1
            if team_id == match.winner_id:
                rows[team_id].wins += 1
            else:
                rows[team_id].losses += 1
        if match.best_debater_id in best_team:
            rows[best_team[match.best_debater_id]].best_debaters += 1
    return sorted(rows.values(), key=lambda r: (-r.wins, r.losses, r.team.name))


def round_name(round_no: int, rounds: int) -> str:
    from flask_babel import gettext as _

    from_end = rounds - round_no
    return {0: _("决赛"), 1: _("半决赛"), 2: _("四分之一决赛")}.get(from_end, _("第 %(n)s 轮", n=round_no))


def bracket(competition: Competition) -> list[dict]:
    """Rounds in order, each with its matches by slot: the columns of the knock-out view."""
    by_round = defaultdict(list)
    for match in competition.matches:
        by_round[match.round_no].append(match)
    rounds = max(by_round) if by_round else 0
    return [{"no": no, "name": round_name(no, rounds), "matches": sorted(by_round[no], key=lambda m: (m.slot, m.id))}
            for no in sorted(by_round)]


def champion(competition: Competition):
    columns = bracket(competition)
    if not columns or len(columns[-1]["matches"]) != 1:
        return None
    return columns[-1]["matches"][0].winner


# --- a person's record -------------------------------------------------------------------------------

@dataclass
class PersonRecord:
    entries: list = field(default_factory=list)   # CompetitionEntry, newest first
    honours: list = field(default_factory=list)
    talents: list = field(default_factory=list)

    @property
    def awards(self) -> int:
        return sum(1 for e in self.entries if e.current_result and e.current_result.status is ResultStatus.VERIFIED)

    @property
    def pending(self) -> int:
        return (sum(1 for e in self.entries if e.current_result and e.current_result.status is ResultStatus.PENDING)
                + sum(1 for h in self.honours + self.talents if h.status is VerifyStatus.PENDING))


def person_record(person: Person) -> PersonRecord:
    entries = db.session.execute(
        select(CompetitionEntry).join(Competition).where(CompetitionEntry.person_id == person.id)
        .options(joinedload(CompetitionEntry.competition), joinedload(CompetitionEntry.team),
                 selectinload(CompetitionEntry.results).joinedload(CompetitionResult.certificate))
        .order_by(Competition.start_date.desc(), CompetitionEntry.id.desc())).scalars().unique().all()
    honours = db.session.execute(select(Honour).where(Honour.person_id == person.id)
                                 .order_by(Honour.date.desc(), Honour.id.desc())).scalars().all()
    talents = db.session.execute(select(TalentEntry).where(TalentEntry.person_id == person.id)
                                 .order_by(TalentEntry.date.desc(), TalentEntry.id.desc())).scalars().all()
    return PersonRecord(entries, honours, talents)


def pending_verifications(user):
    """What HR has to verify in their scope: reported results, honours and talent-pool entries."""
    scope = policy.person_scope_filter(user)
    in_scope = select(Person.id).where(scope)
    results = db.session.execute(
        select(CompetitionResult).where(CompetitionResult.status == ResultStatus.PENDING,
                                        CompetitionResult.person_id.in_(in_scope))
        .options(joinedload(CompetitionResult.person), joinedload(CompetitionResult.competition),
                 joinedload(CompetitionResult.entry), joinedload(CompetitionResult.certificate))
        .order_by(CompetitionResult.recorded_at)).scalars().all()
    honours = db.session.execute(select(Honour).where(Honour.status == VerifyStatus.PENDING,
                                                      Honour.person_id.in_(in_scope))
                                 .options(joinedload(Honour.person)).order_by(Honour.id)).scalars().all()
    talents = db.session.execute(select(TalentEntry).where(TalentEntry.status == VerifyStatus.PENDING,
                                                           TalentEntry.person_id.in_(in_scope))
                                 .options(joinedload(TalentEntry.person)).order_by(TalentEntry.id)).scalars().all()
    return results, honours, talents


# --- HR's yearly summary -----------------------------------------------------------------------------

@dataclass
class YearSummary:
    year: int
    competitions: int
    participants: int            # distinct people entered in competitions of the year
    entries: int
    awarded_people: int
    matrix: dict                 # Level -> Counter(Award -> verified results)
    honours: Counter
    talents: Counter

    def level_total(self, level: Level) -> int:
        return sum(self.matrix[level].values())

    @property
    def max_level_total(self) -> int:
        return max([self.level_total(level) for level in Level] + [1])


def year_summary(user, year: int) -> YearSummary:
    in_scope = select(Person.id).where(policy.person_scope_filter(user))
    start, end = date(year, 1, 1), date(year, 12, 31)
    competition_ids = select(Competition.id).where(Competition.start_date.between(start, end))
    entry_rows = db.session.execute(
        select(func.count(CompetitionEntry.id), func.count(func.distinct(CompetitionEntry.person_id)),
               func.count(func.distinct(CompetitionEntry.competition_id)))
        .where(CompetitionEntry.competition_id.in_(competition_ids), CompetitionEntry.person_id.in_(in_scope))).one()
    matrix = {level: Counter() for level in Level}
    awarded = set()
    for level, award, person_id, n in db.session.execute(
            select(CompetitionResult.level, CompetitionResult.award, CompetitionResult.person_id,
                   func.count(CompetitionResult.id))
            .where(CompetitionResult.status == ResultStatus.VERIFIED, CompetitionResult.date.between(start, end),
                   CompetitionResult.person_id.in_(in_scope))
            .group_by(CompetitionResult.level, CompetitionResult.award, CompetitionResult.person_id)):
        matrix[level][award] += n
        awarded.add(person_id)
    honours = Counter(dict(db.session.execute(
        select(Honour.level, func.count(Honour.id)).where(Honour.status == VerifyStatus.VERIFIED,
                                                          Honour.date.between(start, end),
                                                          Honour.person_id.in_(in_scope))
        .group_by(Honour.level)).all()))
    talents = Counter(dict(db.session.execute(
        select(TalentEntry.level, func.count(TalentEntry.id)).where(TalentEntry.status == VerifyStatus.VERIFIED,
                                                                    TalentEntry.date.between(start, end),
                                                                    TalentEntry.person_id.in_(in_scope))
        .group_by(TalentEntry.level)).all()))
    entries, participants, competitions = entry_rows
    return YearSummary(year, competitions, participants, entries, len(awarded), matrix, honours, talents)


AWARD_COLOURS = {Award.SPECIAL: "#7a1013", Award.FIRST: "#a4161a", Award.SECOND: "#d9480f", Award.THIRD: "#e8890c",
                 Award.EXCELLENCE: "#2f6fae", Award.FINALIST: "#6c8ebf", Award.PARTICIPATION: "#aab2bb"}
