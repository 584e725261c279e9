"""Forms carry the input; the operations validate it (so pages and the API refuse the same things, in Chinese).

Selects therefore do not validate their choices themselves (`validate_choice=False`) and coerce unknown
values to None, which the operation reports as a clear message.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import DateField as BaseDateField
from wtforms.validators import Optional

from trainee.competitions.models import Award, CompetitionKind, Format, Level, TalentLevel


class DateField(BaseDateField):
    """A date input whose format error is a clear Chinese message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("日期格式无效，请按 YYYY-MM-DD 填写。")) from None


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _select(label, choices=None, *, coerce=str, blank=True):
    return SelectField(label, choices=([("", "—")] if blank else []) + list(choices or []), coerce=coerce,
                       validate_choice=False)


def _person_select(label):
    return SelectField(label, coerce=_int_or_none, validate_choice=False)


class CompetitionForm(FlaskForm):
    name = StringField(_l("竞赛名称"), render_kw={"maxlength": 120, "required": True})
    kind = _select(_l("类别"), CompetitionKind.choices())
    level = _select(_l("级别"), Level.choices())
    organiser = StringField(_l("主办单位"), render_kw={"maxlength": 120, "required": True})
    start_date = DateField(_l("开始日期"), validators=[Optional()])
    end_date = DateField(_l("结束日期"), validators=[Optional()])
    format = _select(_l("形式"), Format.choices(), blank=False)
    knockout = BooleanField(_l("淘汰赛制（显示对阵图）"))
    unit_id = _person_select(_l("主办范围（单位）"))
    description = TextAreaField(_l("说明"), render_kw={"maxlength": 2000, "rows": 3})

    def to_data(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("name", "kind", "level", "organiser", "start_date", "end_date", "format", "knockout", "unit_id",
                 "description")}


class EntryForm(FlaskForm):
    person_id = _person_select(_l("参赛人员"))
    work_title = StringField(_l("参赛作品题目（评选类填写）"), render_kw={"maxlength": 200})


class ResultForm(FlaskForm):
    person_id = _person_select(_l("参赛人员"))
    award = _select(_l("奖项"), Award.choices())
    date = DateField(_l("获奖日期（默认竞赛结束日期）"), validators=[Optional()])


class CorrectForm(FlaskForm):
    award = _select(_l("更正为"), [("", _l("（撤销结果，不再计入）"))] + Award.choices(), blank=False)
    reason = StringField(_l("更正原因"), render_kw={"maxlength": 300, "required": True})


class TeamForm(FlaskForm):
    name = StringField(_l("队名"), render_kw={"maxlength": 60, "required": True})
    unit_id = _person_select(_l("代表单位"))
    coach_id = _person_select(_l("团队导师"))


class MemberForm(FlaskForm):
    person_id = _person_select(_l("队员"))


class CoachForm(FlaskForm):
    coach_id = _person_select(_l("团队导师"))


class TeamResultForm(FlaskForm):
    award = _select(_l("队伍奖项"), Award.choices())
    date = DateField(_l("获奖日期（默认竞赛结束日期）"), validators=[Optional()])


class MatchForm(FlaskForm):
    round_no = IntegerField(_l("轮次"), default=1, validators=[Optional()], render_kw={"min": 1, "max": 10})
    slot = IntegerField(_l("本轮场次"), default=1, validators=[Optional()], render_kw={"min": 1, "max": 64})
    topic = StringField(_l("辩题"), render_kw={"maxlength": 200, "required": True})
    date = DateField(_l("比赛日期"), validators=[Optional()])
    affirmative_id = _person_select(_l("正方"))
    negative_id = _person_select(_l("反方"))
    winner_id = _person_select(_l("获胜方（赛后填写）"))
    best_debater_id = _person_select(_l("最佳辩手"))

    def to_data(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("round_no", "slot", "topic", "date", "affirmative_id", "negative_id", "winner_id", "best_debater_id")}


class OutcomeForm(FlaskForm):
    winner_id = _person_select(_l("获胜方"))
    best_debater_id = _person_select(_l("最佳辩手"))


class ReportForm(FlaskForm):
    name = StringField(_l("竞赛名称"), render_kw={"maxlength": 120, "required": True})
    kind = _select(_l("类别"), CompetitionKind.choices())
    level = _select(_l("级别"), Level.choices())
    organiser = StringField(_l("主办单位"), render_kw={"maxlength": 120, "required": True})
    date = DateField(_l("获奖日期"), validators=[Optional()])
    award = _select(_l("奖项"), Award.choices())
    work_title = StringField(_l("参赛作品题目（评选类填写）"), render_kw={"maxlength": 200})
    certificate = FileField(_l("获奖证书（PDF、JPG 或 PNG，不超过 10 MB）"),
                            render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})

    def to_data(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("name", "kind", "level", "organiser", "date", "award", "work_title")}


class HonourForm(FlaskForm):
    title = StringField(_l("荣誉称号"), render_kw={"maxlength": 100, "required": True, "list": "honour-titles"})
    level = _select(_l("级别"), Level.choices())
    date = DateField(_l("授予日期"), validators=[Optional()])
    issuer = StringField(_l("授予单位"), render_kw={"maxlength": 120, "required": True})
    certificate = FileField(_l("证书（PDF、JPG 或 PNG，不超过 10 MB）"), render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})

    def to_data(self) -> dict:
        return {name: getattr(self, name).data for name in ("title", "level", "date", "issuer")}


class TalentForm(FlaskForm):
    level = _select(_l("人才库级别"), TalentLevel.choices())
    field = StringField(_l("专业领域"), render_kw={"maxlength": 100, "required": True})
    date = DateField(_l("入库日期"), validators=[Optional()])
    issuer = StringField(_l("发文单位"), render_kw={"maxlength": 120})
    certificate = FileField(_l("证明文件（PDF、JPG 或 PNG，不超过 10 MB）"),
                            render_kw={"accept": ".pdf,.jpg,.jpeg,.png"})

    def to_data(self) -> dict:
        return {name: getattr(self, name).data for name in ("level", "field", "date", "issuer")}


class ReasonForm(FlaskForm):
    reason = StringField(_l("原因"), render_kw={"maxlength": 300, "required": True})
