"""Forms carry the input; the operations validate it (pages and the API refuse the same things, in Chinese)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from trainee.checklists.models import ChecklistCategory, NoteAngle


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class LenientIntegerField(IntegerField):
    """An integer input whose bad value reaches the operation as None (its message is the clear one)."""

    def process_formdata(self, valuelist):
        self.data = _int_or_none(valuelist[0]) if valuelist else None


class ReflectionForm(FlaskForm):
    reflection = TextAreaField(_l("学习心得"), render_kw={"rows": 14, "maxlength": 20000})
    attachment = FileField(_l("附件（可选：PDF、Word、JPG 或 PNG，不超过 10 MB）"))


class ReviewForm(FlaskForm):
    decision = SelectField(_l("处理"), choices=[("", "—"), ("confirm", _l("确认")), ("return", _l("退回"))],
                           validate_choice=False)
    comment = TextAreaField(_l("意见（退回时必填）"), render_kw={"rows": 3, "maxlength": 1000})


class NoteForm(FlaskForm):
    angle = SelectField(_l("剖析维度"), choices=[("", "—")] + NoteAngle.choices(), validate_choice=False)
    text = TextAreaField(_l("剖析意见"), render_kw={"rows": 3, "maxlength": 1000})


class ReasonForm(FlaskForm):
    reason = StringField(_l("理由"), render_kw={"maxlength": 300})


class ItemForm(FlaskForm):
    category = SelectField(_l("类别"), choices=[("", "—")] + ChecklistCategory.choices(), validate_choice=False)
    stage_id = SelectField(_l("阶段"), coerce=_int_or_none, validate_choice=False)
    title = StringField(_l("条目名称"), render_kw={"maxlength": 200})
    source = StringField(_l("出处 / 发文机关"), render_kw={"maxlength": 200})
    min_chars = LenientIntegerField(_l("心得最少字数"), validators=[Optional()])
    due_months = LenientIntegerField(_l("完成期限（进入阶段后月数）"), validators=[Optional()])

    def to_data(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("category", "stage_id", "title", "source", "min_chars", "due_months")}
