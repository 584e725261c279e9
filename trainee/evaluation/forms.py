from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from trainee.evaluation.models import CohortBasis


def _no_markup(form, field):
    if field.data and any(ch in field.data for ch in "<>"):
        raise ValidationError(_l("不能包含尖括号等标记字符。"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CycleForm(FlaskForm):
    year = IntegerField(_l("年度"), validators=[DataRequired(_l("请填写年度。")), NumberRange(2000, 2100)])
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称。")), Length(max=100), _no_markup])
    unit_ids = MultiCheckboxField(_l("考评范围（单位）"), coerce=int, validators=[DataRequired(_l("至少选择一个单位。"))])
    cohort_basis = SelectField(_l("百分位比较范围"), choices=CohortBasis.choices(), default="UNIT")
    weight_quant = IntegerField(_l("积分百分位权重"), default=60, validators=[NumberRange(0, 100)])
    weight_mentor = IntegerField(_l("导师评分权重"), default=20, validators=[NumberRange(0, 100)])
    weight_dept = IntegerField(_l("部门评分权重"), default=20, validators=[NumberRange(0, 100)])
    excellent_quota_pct = IntegerField(_l("优秀比例（%）"), default=20, validators=[NumberRange(0, 100)])
    summary_min_length = IntegerField(_l("述职最少字数"), default=300, validators=[NumberRange(0, 5000)])


class SummaryForm(FlaskForm):
    text = TextAreaField(_l("述职"), validators=[DataRequired(_l("请填写述职。")), Length(max=10000)])


class MentorScoreForm(FlaskForm):
    score = IntegerField(_l("导师评分（0–100）"), validators=[InputRequired(_l("请填写 0–100 的整数。")),
                                                        NumberRange(0, 100, message=_l("分数须为 0–100 的整数。"))])
    comment = TextAreaField(_l("导师评语"), validators=[DataRequired(_l("请填写评语。")), Length(max=2000)])


class DeptScoreForm(FlaskForm):
    score = IntegerField(_l("部门评分（0–100）"), validators=[InputRequired(_l("请填写 0–100 的整数。")),
                                                        NumberRange(0, 100, message=_l("分数须为 0–100 的整数。"))])


class QuarterCommentForm(FlaskForm):
    text = TextAreaField(_l("带教评语"), validators=[DataRequired(_l("请填写评语。")), Length(max=2000)])
