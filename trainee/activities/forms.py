"""Forms of the progress log. The rules themselves live in operations.clean() (shared with the API); the forms
check shape and presence, and carry the entry's `version` so a stale page is caught (409)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from trainee.activities.operations import CASE_NO_MAX, COMMENT_MAX, DESCRIPTION_MAX, REASON_MAX, TITLE_MAX

VERSION = [DataRequired(_l("表单缺少版本信息，请刷新页面后重试。")), Regexp(r"^\d{1,9}$", message=_l("无效的版本。"))]


class ActivityForm(FlaskForm):
    date = DateField(_l("日期"), validators=[DataRequired(_l("请填写有效的日期（YYYY-MM-DD）。"))])
    type = SelectField(_l("工作类型"), validate_choice=False, validators=[DataRequired(_l("请选择工作类型。"))])
    transition = SelectField(_l("所服务的转变"), validate_choice=False, validators=[DataRequired(_l("请选择所服务的转变（T1–T9）。"))])
    title = StringField(_l("标题"), validators=[DataRequired(_l("请填写标题。")), Length(max=TITLE_MAX)],
                        render_kw={"maxlength": TITLE_MAX, "data-no-markup": "1"})
    description = TextAreaField(_l("工作内容"), validators=[Optional(), Length(max=DESCRIPTION_MAX)],
                                render_kw={"maxlength": DESCRIPTION_MAX, "rows": 6, "data-no-markup": "1"})
    case_no = StringField(_l("案号（可选）"), validators=[Optional(), Length(max=CASE_NO_MAX)],
                          render_kw={"maxlength": CASE_NO_MAX, "data-case-no": "1"})
    hours = StringField(_l("用时（小时，可选）"), validators=[Optional(), Length(max=6)],
                        render_kw={"inputmode": "decimal", "maxlength": 6, "data-range": "0,24"})
    files = MultipleFileField(_l("证明材料（可选，最多 5 个）"))
    no_classified_confirmed = BooleanField(_l("我确认：本记录及附件不含涉密内容（提交审核时必须确认）"))
    version = HiddenField()

    def data_for_ops(self) -> dict:
        return {"date": self.date.data, "type": self.type.data, "transition": self.transition.data,
                "title": self.title.data, "description": self.description.data, "case_no": self.case_no.data,
                "hours": self.hours.data, "no_classified_confirmed": self.no_classified_confirmed.data}


class VersionForm(FlaskForm):
    """Withdraw, delete: nothing but the version the page showed."""
    version = HiddenField(validators=VERSION)


class SubmitForm(VersionForm):
    no_classified_confirmed = BooleanField(_l("我确认：本记录及附件不含涉密内容"))


class ApproveForm(VersionForm):
    comment = TextAreaField(_l("审核意见（可选）"), validators=[Optional(), Length(max=COMMENT_MAX)], render_kw={"rows": 2})


class ReturnForm(VersionForm):
    comment = TextAreaField(_l("退回意见"), validators=[DataRequired(_l("请写明退回意见，告诉对方需要怎样修改。")),
                                                    Length(max=COMMENT_MAX)])


class RevokeForm(VersionForm):
    reason = TextAreaField(_l("撤销理由"), validators=[DataRequired(_l("请写明撤销理由。")), Length(max=REASON_MAX)])


class EvidenceForm(FlaskForm):
    files = MultipleFileField(_l("证明材料"))
    no_classified_confirmed = BooleanField(_l("我确认：附件不含涉密内容"))


class BulkApproveForm(FlaskForm):
    comment = TextAreaField(_l("审核意见（可选，适用于全部所选记录）"), validators=[Optional(), Length(max=COMMENT_MAX)],
                            render_kw={"rows": 2})
