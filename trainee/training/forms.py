from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from trainee.core.time import local_today
from trainee.training.models import CareerEventKind, PlanDirection, PlanTrack, RequirementKind


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("意见"), validators=[Optional(), Length(max=1000)])


class ManualSignForm(FlaskForm):
    evidence = TextAreaField(_l("确认依据"), validators=[DataRequired(_l("请填写确认依据。")), Length(max=1000)])
    activity_id = IntegerField(_l("作为依据的工作记录编号（可选）"), validators=[Optional()])


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("审批意见"), validators=[Optional(), Length(max=1000)])
    on_date = DateField(_l("生效日期"), default=local_today, validators=[DataRequired(_l("请填写日期。"))])


class PlacementForm(FlaskForm):
    stage = SelectField(_l("定为阶段"), choices=[("S2", _l("中阶")), ("S3", _l("高阶"))])
    on_date = DateField(_l("定阶日期"), default=local_today, validators=[DataRequired(_l("请填写日期。"))])
    reason = StringField(_l("定阶理由"), validators=[DataRequired(_l("请填写定阶理由。")), Length(max=200)])


class CareerEventForm(FlaskForm):
    kind = SelectField(_l("事件"), choices=[(k.name, k.label) for k in CareerEventKind
                                           if k.name not in ("STAGE_PROMOTION", "STAGE_PLACEMENT", "TRAINING_COMPLETED")])
    date = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期。"))])
    doc_no = StringField(_l("文号"), validators=[Optional(), Length(max=80)])
    note = StringField(_l("备注"), validators=[Optional(), Length(max=300)])


class RotationForm(FlaskForm):
    department_id = SelectField(_l("轮岗部门"), coerce=int)
    start_date = DateField(_l("开始日期"), validators=[DataRequired(_l("请填写开始日期。"))])
    end_date = DateField(_l("结束日期"), validators=[Optional()])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=300)])


class PlanForm(FlaskForm):
    direction = SelectField(_l("发展方向"), choices=PlanDirection.choices())
    track = SelectField(_l("目标序列"), choices=PlanTrack.choices())
    goals_1y = TextAreaField(_l("一年目标"), validators=[DataRequired(_l("请填写一年目标。")), Length(max=2000)])
    goals_2y = TextAreaField(_l("两年目标"), validators=[Optional(), Length(max=2000)])
    goals_3y = TextAreaField(_l("三年目标"), validators=[Optional(), Length(max=2000)])


class StageForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称。")), Length(max=20)])
    theme = StringField(_l("主题"), validators=[DataRequired(_l("请填写主题。")), Length(max=60)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])
    min_months = IntegerField(_l("最少月数"), validators=[InputRequired(_l("请填写最少月数。")),
                                                      NumberRange(min=0, max=120, message=_l("须在 0 到 120 之间。"))])


class TransitionForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称。")), Length(max=40)])
    aim = StringField(_l("目标"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])


class RequirementForm(FlaskForm):
    kind = SelectField(_l("类型"), choices=RequirementKind.choices())
    label = StringField(_l("显示名称"), validators=[DataRequired(_l("请填写显示名称。")), Length(max=100)])
    params = TextAreaField(_l("参数（JSON）"), default="{}", validators=[Optional(), Length(max=2000)])
    order = IntegerField(_l("排序"), default=1, validators=[Optional(), NumberRange(min=0, max=99)])
