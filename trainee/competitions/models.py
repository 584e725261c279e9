"""Competitions (赛训结合), team face-offs (团队对垒), honours and the talent pool.

A competition has entries (one per person: `uq_competition_entries_person` is the rule "one person,
one team, one entry per competition"); an entry's results are an append-only history: a correction
marks the current result CORRECTED and, when there is a new award, adds a new one. Only VERIFIED
results count (for points and for `competition` requirements); what a trainee reports is PENDING
until HR verifies it.
"""
from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.core.time import utcnow
from trainee.extensions import db


class CompetitionKind(LabelledEnum):
    SKILLS = ("skills", _l("业务竞赛/岗位练兵"))
    DEBATE = ("debate", _l("团队论辩赛/团队对垒"))
    CASE = ("case", _l("优秀案例评选"))
    DOCUMENT = ("document", _l("优秀法律文书评选"))
    SUGGESTION = ("suggestion", _l("优秀检察建议评选"))
    OTHER = ("other", _l("其他"))


class Level(LabelledEnum):
    """院 / 市 / 省 / 全国, in ascending order (`rank`)."""
    UNIT = ("unit", _l("院级"))
    CITY = ("city", _l("市级"))
    PROVINCE = ("province", _l("省级"))
    NATIONAL = ("national", _l("全国"))

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)

    @classmethod
    def at_least(cls, minimum: "Level") -> list["Level"]:
        return [m for m in cls if m.rank >= minimum.rank]


class Award(LabelledEnum):
    SPECIAL = ("special", _l("特等奖"))
    FIRST = ("first", _l("一等奖"))
    SECOND = ("second", _l("二等奖"))
    THIRD = ("third", _l("三等奖"))
    EXCELLENCE = ("excellence", _l("优秀奖"))
    FINALIST = ("finalist", _l("入围"))
    PARTICIPATION = ("participation", _l("参与"))


class Format(LabelledEnum):
    INDIVIDUAL = ("individual", _l("个人"))
    TEAM = ("team", _l("团队"))


class ResultStatus(LabelledEnum):
    PENDING = ("pending", _l("待核实"))
    VERIFIED = ("verified", _l("有效"))
    REJECTED = ("rejected", _l("未通过核实"))
    CORRECTED = ("corrected", _l("已更正"))


class VerifyStatus(LabelledEnum):
    PENDING = ("pending", _l("待核实"))
    VERIFIED = ("verified", _l("已核实"))
    REJECTED = ("rejected", _l("未通过核实"))
    REVOKED = ("revoked", _l("已撤销"))


class Side(LabelledEnum):
    AFFIRMATIVE = ("affirmative", _l("正方"))
    NEGATIVE = ("negative", _l("反方"))


class TalentLevel(LabelledEnum):
    PROVINCE = ("province", _l("省级人才库"))
    NATIONAL = ("national", _l("全国人才库"))


HONOUR_TITLES = ["检察业务标兵", "业务能手", "优秀检察官助理", "优秀公诉人", "优秀办案能手", "先进个人"]


class Certificate(db.Model):
    """An uploaded certificate (证书) file, content-checked, stored under UPLOAD_DIR by a random name."""
    __tablename__ = "competition_certificates"
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    original_name = db.Column(db.String(200), nullable=False)
    stored_name = db.Column(db.String(80), nullable=False, unique=True)
    content_type = db.Column(db.String(100), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    uploaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    person = db.relationship("Person")


class Competition(TimestampMixin, db.Model):
    __tablename__ = "competitions"
    __table_args__ = (db.Index("ix_competitions_unit_start", "unit_id", "start_date"),)
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    kind = enum_column(CompetitionKind, nullable=False)
    level = enum_column(Level, nullable=False)
    organiser = db.Column(db.String(120), nullable=False)
    start_date = db.Column(db.Date, nullable=False)
    end_date = db.Column(db.Date)
    format = enum_column(Format, nullable=False, default=Format.INDIVIDUAL)
    knockout = db.Column(db.Boolean, nullable=False, default=False)  # team face-off as a knock-out bracket
    description = db.Column(db.Text, nullable=False, default="")
    # The unit that manages it (HR of that unit and above); for reported external results, the reporter's unit.
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False)
    # Set when a trainee reported this external competition with a result (HR verifies it).
    reported_by_id = db.Column(db.Integer, db.ForeignKey("people.id"), index=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    unit = db.relationship("Unit")
    reported_by = db.relationship("Person")
    entries = db.relationship("CompetitionEntry", back_populates="competition", order_by="CompetitionEntry.id")
    teams = db.relationship("Team", back_populates="competition", order_by="Team.id")
    matches = db.relationship("Match", back_populates="competition",
                              order_by="(Match.round_no, Match.slot, Match.id)")

    @property
    def is_team(self) -> bool:
        return self.format is Format.TEAM

    @property
    def is_external(self) -> bool:
        return self.reported_by_id is not None

    @property
    def result_date(self):
        return self.end_date or self.start_date


class Team(TimestampMixin, db.Model):
    __tablename__ = "competition_teams"
    __table_args__ = (db.UniqueConstraint("competition_id", "name", name="uq_competition_teams_name"),)
    id = db.Column(db.Integer, primary_key=True)
    competition_id = db.Column(db.Integer, db.ForeignKey("competitions.id"), nullable=False, index=True)
    name = db.Column(db.String(60), nullable=False)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), index=True)
    # The coach (团队导师); each member has an active TEAM MentorAssignment with this coach.
    coach_id = db.Column(db.Integer, db.ForeignKey("people.id"), index=True)

    competition = db.relationship("Competition", back_populates="teams")
    unit = db.relationship("Unit")
    coach = db.relationship("Person")
    members = db.relationship("CompetitionEntry", back_populates="team", order_by="CompetitionEntry.id")


class CompetitionEntry(TimestampMixin, db.Model):
    __tablename__ = "competition_entries"
    __table_args__ = (db.UniqueConstraint("competition_id", "person_id", name="uq_competition_entries_person"),)
    id = db.Column(db.Integer, primary_key=True)
    competition_id = db.Column(db.Integer, db.ForeignKey("competitions.id"), nullable=False)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False, index=True)
    team_id = db.Column(db.Integer, db.ForeignKey("competition_teams.id"), index=True)
    work_title = db.Column(db.String(200))  # title of the submitted work, for selections (评选)

    competition = db.relationship("Competition", back_populates="entries")
    person = db.relationship("Person")
    team = db.relationship("Team", back_populates="members")
    results = db.relationship("CompetitionResult", back_populates="entry", order_by="CompetitionResult.id")

    @property
    def current_result(self):
        """The result that stands: the latest not corrected or rejected (verified or pending)."""
        live = [r for r in self.results if r.status in (ResultStatus.VERIFIED, ResultStatus.PENDING)]
        return live[-1] if live else None


class CompetitionResult(db.Model):
    """One award of one person in one competition. Never edited after it counts: a correction marks it
    CORRECTED (with who, when, why) and records the replacement, so the history reads as it happened."""
    __tablename__ = "competition_results"
    __table_args__ = (db.Index("ix_competition_results_person_status", "person_id", "status", "date"),)
    id = db.Column(db.Integer, primary_key=True)
    entry_id = db.Column(db.Integer, db.ForeignKey("competition_entries.id"), nullable=False, index=True)
    competition_id = db.Column(db.Integer, db.ForeignKey("competitions.id"), nullable=False, index=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False)
    team_id = db.Column(db.Integer, db.ForeignKey("competition_teams.id"), index=True)
    award = enum_column(Award, nullable=False)
    level = enum_column(Level, nullable=False)  # copied from the competition when recorded
    date = db.Column(db.Date, nullable=False)
    status = enum_column(ResultStatus, nullable=False, default=ResultStatus.VERIFIED)
    certificate_id = db.Column(db.Integer, db.ForeignKey("competition_certificates.id"), index=True)
    recorded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    recorded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    verified_at = db.Column(db.DateTime)
    verified_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    closed_at = db.Column(db.DateTime)          # corrected or rejected
    closed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    close_reason = db.Column(db.String(300))
    replaces_id = db.Column(db.Integer, db.ForeignKey("competition_results.id"), index=True)

    entry = db.relationship("CompetitionEntry", back_populates="results")
    competition = db.relationship("Competition")
    person = db.relationship("Person")
    team = db.relationship("Team")
    certificate = db.relationship("Certificate")
    replaces = db.relationship("CompetitionResult", remote_side=[id])


class Match(TimestampMixin, db.Model):
    """A face-off between two teams: 正方 (affirmative) against 反方 (negative)."""
    __tablename__ = "competition_matches"
    id = db.Column(db.Integer, primary_key=True)
    competition_id = db.Column(db.Integer, db.ForeignKey("competitions.id"), nullable=False, index=True)
    round_no = db.Column(db.Integer, nullable=False, default=1)  # 1 = first round; the last round is the final
    slot = db.Column(db.Integer, nullable=False, default=1)      # position within the round (bracket order)
    topic = db.Column(db.String(200), nullable=False)
    date = db.Column(db.Date, nullable=False)
    affirmative_id = db.Column(db.Integer, db.ForeignKey("competition_teams.id"), nullable=False, index=True)
    negative_id = db.Column(db.Integer, db.ForeignKey("competition_teams.id"), nullable=False, index=True)
    winner_id = db.Column(db.Integer, db.ForeignKey("competition_teams.id"), index=True)
    best_debater_id = db.Column(db.Integer, db.ForeignKey("people.id"), index=True)

    competition = db.relationship("Competition", back_populates="matches")
    affirmative = db.relationship("Team", foreign_keys=[affirmative_id])
    negative = db.relationship("Team", foreign_keys=[negative_id])
    winner = db.relationship("Team", foreign_keys=[winner_id])
    best_debater = db.relationship("Person")

    def side_of(self, team) -> Side | None:
        if team is None:
            return None
        if team.id == self.affirmative_id:
            return Side.AFFIRMATIVE
        return Side.NEGATIVE if team.id == self.negative_id else None


class _Verified:
    """Shared columns of the HR-verified person records (honours, talent pool)."""
    status = enum_column(VerifyStatus, nullable=False, default=VerifyStatus.PENDING)
    verified_at = db.Column(db.DateTime)
    closed_at = db.Column(db.DateTime)
    close_reason = db.Column(db.String(300))


class Honour(_Verified, TimestampMixin, db.Model):
    """An honour (检察业务标兵, 业务能手, 优秀检察官助理 …)."""
    __tablename__ = "honours"
    __table_args__ = (db.Index("ix_honours_person_status", "person_id", "status"),)
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False)
    title = db.Column(db.String(100), nullable=False)
    level = enum_column(Level, nullable=False)
    date = db.Column(db.Date, nullable=False)
    issuer = db.Column(db.String(120), nullable=False)
    certificate_id = db.Column(db.Integer, db.ForeignKey("competition_certificates.id"), index=True)
    reported_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    verified_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    closed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    person = db.relationship("Person")
    certificate = db.relationship("Certificate")


class TalentEntry(_Verified, TimestampMixin, db.Model):
    """Admission to a talent pool (人才库): national or provincial, in a field, from a date."""
    __tablename__ = "talent_entries"
    __table_args__ = (db.Index("ix_talent_entries_person_status", "person_id", "status"),)
    id = db.Column(db.Integer, primary_key=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=False)
    level = enum_column(TalentLevel, nullable=False)
    field = db.Column(db.String(100), nullable=False)
    date = db.Column(db.Date, nullable=False)
    issuer = db.Column(db.String(120))
    certificate_id = db.Column(db.Integer, db.ForeignKey("competition_certificates.id"), index=True)
    reported_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    verified_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    closed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)

    person = db.relationship("Person")
    certificate = db.relationship("Certificate")
