from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from trainee.auth.models import Role


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=50)])
    password = PasswordField(_l("初始密码"), validators=[Optional(), Length(min=8, max=200)])
    unit_id = SelectField(_l("单位"), coerce=int)
    person_id = SelectField(_l("对应人员"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                            validators=[Optional()])
    roles = MultiCheckboxField(_l("角色"), choices=Role.choices(), validators=[DataRequired(_l("至少选择一个角色。"))])
    active = BooleanField(_l("启用"), default=True)
