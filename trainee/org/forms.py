from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from trainee.core.params import as_id
from trainee.core.time import local_today
from trainee.org.models import RANKS, DepartmentKind, Education, PersonStatus, Position, UnitLevel
from trainee.org.queries import find_mentor, mentor_choice


def _no_markup(form, field):
    if field.data and any(ch in field.data for ch in "<>"):
        raise ValidationError(_l("不能包含尖括号等标记字符。"))


def _not_future(form, field):
    if field.data and field.data > local_today():
        raise ValidationError(_l("日期不能晚于今天。"))


def _coerce_int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class PersonForm(FlaskForm):
    staff_no = StringField(_l("工号"), validators=[DataRequired(_l("请填写工号。")), Length(max=32),
                                                  Regexp(r"^[A-Za-z0-9\-]+$", message=_l("工号只能包含字母、数字和连字符。"))])
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(max=50), _no_markup])
    gender = SelectField(_l("性别"), choices=[("", "—"), ("男", "男"), ("女", "女")], validators=[Optional()])
    unit_id = SelectField(_l("单位"), coerce=int, validators=[DataRequired(_l("请选择单位。"))])
    department_id = SelectField(_l("部门"), coerce=_coerce_int_or_none, validators=[Optional()])
    position = SelectField(_l("岗位类别"), choices=Position.choices(), default="ASSISTANT")
    rank = SelectField(_l("职级"), choices=[("", "—")] + [(r, r) for r in RANKS], validators=[Optional()])
    hire_date = DateField(_l("入职日期"), validators=[Optional(), _not_future])
    birth_date = DateField(_l("出生日期"), validators=[Optional(), _not_future])
    education = SelectField(_l("学历"), choices=[("", "—")] + Education.choices(), validators=[Optional()])
    school = StringField(_l("毕业院校"), validators=[Optional(), Length(max=100), _no_markup])
    major = StringField(_l("专业"), validators=[Optional(), Length(max=100), _no_markup])
    legal_qualification = BooleanField(_l("已取得法律职业资格（A证）"))
    legal_qualification_no = StringField(_l("法律职业资格证书编号"), validators=[Optional(), Length(max=40), _no_markup])
    status = SelectField(_l("状态"), choices=PersonStatus.choices(), default="ACTIVE")
    # The row version the form was built from: saving over someone else's newer edit is refused.
    version = HiddenField()

    def to_data(self) -> dict:
        data = {
            "staff_no": self.staff_no.data.strip(), "name": self.name.data.strip(), "gender": self.gender.data or None,
            "unit_id": self.unit_id.data, "department_id": self.department_id.data,
            "position": Position[self.position.data], "rank": self.rank.data or None,
            "hire_date": self.hire_date.data, "birth_date": self.birth_date.data,
            "education": Education[self.education.data] if self.education.data else None,
            "school": self.school.data or None, "major": self.major.data or None,
            "legal_qualification": bool(self.legal_qualification.data),
            "legal_qualification_no": self.legal_qualification_no.data or None,
            "status": PersonStatus[self.status.data],
        }
        if as_id(str(self.version.data or "")):
            data["expected_version"] = as_id(str(self.version.data))
        return data


class UnitForm(FlaskForm):
    code = StringField(_l("单位代码"), validators=[DataRequired(), Length(max=32),
                                                  Regexp(r"^[A-Za-z0-9_\-]+$", message=_l("代码只能包含字母、数字、下划线和连字符。"))])
    name = StringField(_l("全称"), validators=[DataRequired(), Length(max=100), _no_markup])
    short_name = StringField(_l("简称"), validators=[DataRequired(), Length(max=50), _no_markup])
    level = SelectField(_l("层级"), choices=UnitLevel.choices())
    parent_id = SelectField(_l("上级单位"), coerce=_coerce_int_or_none, validators=[Optional()])


class DepartmentForm(FlaskForm):
    unit_id = SelectField(_l("单位"), coerce=int)
    name = StringField(_l("部门名称"), validators=[DataRequired(), Length(max=100), _no_markup])
    kind = SelectField(_l("类别"), choices=DepartmentKind.choices())


class BulkAssignMentorForm(FlaskForm):
    """Bulk action on the people list: one primary mentor for the ticked people.

    The mentor is picked by searching (`mentor`, the text a person sees) into `mentor_id`, which the picker's
    script fills; without the script only the text arrives and is resolved as a staff number or an exact name."""
    mentor = StringField(_l("带教导师"), validators=[Optional(), Length(max=100)])
    mentor_id = HiddenField()
    start_date = DateField(_l("开始日期"), validators=[DataRequired(_l("请填写有效的开始日期。")), _not_future])
    reason = StringField(_l("调整原因"), validators=[DataRequired(_l("请填写调整原因。")), Length(max=200), _no_markup])
    chosen_mentor = None

    def resolve_mentor(self, user) -> bool:
        """Find the chosen mentor among those `user` may choose; on failure the message goes under the field."""
        chosen_id = as_id(self.mentor_id.data or "")
        if chosen_id:
            choice = mentor_choice(user, chosen_id)
            error = None if choice else _l("所选导师不存在或不在您的管理范围内。")
        else:
            choice, error = find_mentor(user, self.mentor.data)
        if choice is None:
            self.mentor.errors = [*self.mentor.errors, error]
            self.mentor_id.data = ""
            return False
        self.chosen_mentor = choice
        self.mentor_id.data, self.mentor.data = str(choice.id), choice.label
        return True
