from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length


class VerifyForm(FlaskForm):
    code = StringField(_l("核验码"), validators=[InputRequired(_l("请输入核验码。")), Length(max=40)],
                       render_kw={"autocomplete": "off", "placeholder": "XXXX-XXXX-XXXX-XXXX", "maxlength": 40})
    file = FileField(_l("PDF 文件（可选，核对文件是否被改动）"), render_kw={"accept": "application/pdf,.pdf"})


class BatchForm(FlaskForm):
    scope = RadioField(_l("打印范围"), choices=[("unit", _l("整个单位")), ("department", _l("一个部门")),
                                             ("stage", _l("单位内某一培养阶段"))],
                       default="unit", validators=[InputRequired(_l("请选择打印范围。"))])
    # Checked in the view against the user's scope (the one chosen by `scope` must be given).
    unit_id = SelectField(_l("单位"), choices=[], validate_choice=False)
    department_id = SelectField(_l("部门"), choices=[], validate_choice=False)
    stage_id = SelectField(_l("培养阶段"), choices=[], validate_choice=False)
    variant = SelectField(_l("版本"), choices=[("standard", _l("标准版")), ("pdfa", _l("归档版（PDF/A-3b）"))],
                          default="standard")
