from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from trainee.core.dimensions import Dimension
from trainee.core.params import as_id
from trainee.points.ledger import fmt


def _no_markup(form, field):
    if field.data and any(ch in field.data for ch in "<>"):
        raise ValidationError(_l("不能包含尖括号等标记字符。"))


class NegativeForm(FlaskForm):
    person_id = SelectField(_l("检察官助理"), coerce=as_id,
                            validators=[DataRequired(_l("请选择人员。"))])
    item_code = SelectField(_l("负面清单事项"), validators=[DataRequired(_l("请选择事项。"))])
    occurred_on = DateField(_l("发生日期"), validators=[DataRequired(_l("请填写有效的日期。"))])
    reason = TextAreaField(_l("事由"), validators=[DataRequired(_l("请写明事由。")), Length(max=2000), _no_markup])
    evidence = StringField(_l("证据材料"), validators=[DataRequired(_l("请说明证据材料。")), Length(max=500), _no_markup])


class AppealForm(FlaskForm):
    statement = TextAreaField(_l("申诉理由"), validators=[DataRequired(_l("请写明申诉理由。")), Length(max=2000),
                                                      _no_markup])


class DecisionForm(FlaskForm):
    decision = RadioField(_l("处理决定"), choices=[("uphold", _l("申诉不成立，维持原记录")),
                                                 ("revoke", _l("申诉成立，撤销并冲销扣分"))],
                          validators=[DataRequired(_l("请选择处理决定。"))])
    comment = TextAreaField(_l("处理意见"), validators=[DataRequired(_l("请写明处理意见。")), Length(max=2000),
                                                    _no_markup])


def rule_set_form(base):
    """A form for a new rule version, pre-filled from `base`, with one field per rule."""
    dims = [(d.name, f"{d.name} {d.label}") for d in Dimension]

    class RuleSetForm(FlaskForm):
        effective_from = DateField(_l("生效日期"), validators=[DataRequired(_l("请填写有效的生效日期。"))])
        note = StringField(_l("修订说明"), validators=[DataRequired(_l("请说明本次修订的内容和依据。")), Length(max=300),
                                                   _no_markup])
        new_name = StringField(_l("新增负面清单事项名称"), validators=[Optional(), Length(max=60), _no_markup])
        new_deduction = StringField(_l("扣分"), validators=[Optional(), Length(max=10)])
        new_veto = BooleanField(_l("一票否决"))

    def number(label, value):
        return StringField(label, default="" if value is None else fmt(value), validators=[Optional(), Length(max=10)])

    for r in base.activity_rules:
        setattr(RuleSetForm, f"act_{r.type_code}_points", number(_l("分值"), r.points))
        setattr(RuleSetForm, f"act_{r.type_code}_dimension", SelectField(_l("维度"), choices=dims, default=r.dimension.name))
        setattr(RuleSetForm, f"act_{r.type_code}_quarter_cap", number(_l("季度上限"), r.quarter_cap))
        setattr(RuleSetForm, f"act_{r.type_code}_year_cap", number(_l("年度上限"), r.year_cap))
    for r in base.award_rules:
        setattr(RuleSetForm, f"award_{r.id}", number(_l("分值"), r.points))
    for r in base.checklist_rules:
        label = _l("政治必研（每项分值）") if r.category == "POLITICAL" else _l("业务必学（每项分值）")
        setattr(RuleSetForm, f"chk_{r.category}", number(label, r.points))
    for r in base.negative_rules:
        setattr(RuleSetForm, f"neg_{r.code}_name", StringField(_l("名称"), default=r.name,
                                                               validators=[Optional(), Length(max=60), _no_markup]))
        setattr(RuleSetForm, f"neg_{r.code}_deduction", number(_l("扣分"), r.deduction))
        setattr(RuleSetForm, f"neg_{r.code}_veto", BooleanField(_l("一票否决"), default=r.veto))
        setattr(RuleSetForm, f"neg_{r.code}_active", BooleanField(_l("现行有效"), default=r.active))
    return RuleSetForm


def rule_set_data(form, base) -> dict:
    """The form's values in the shape operations.save_rule_set expects."""
    get = lambda name: getattr(form, name).data  # noqa: E731
    return {
        "effective_from": form.effective_from.data, "note": form.note.data,
        "activity": {r.type_code: {"points": get(f"act_{r.type_code}_points"),
                                   "dimension": get(f"act_{r.type_code}_dimension"),
                                   "quarter_cap": get(f"act_{r.type_code}_quarter_cap"),
                                   "year_cap": get(f"act_{r.type_code}_year_cap")} for r in base.activity_rules},
        "award": {r.id: get(f"award_{r.id}") for r in base.award_rules},
        "checklist": {r.category: get(f"chk_{r.category}") for r in base.checklist_rules},
        "negative": {r.code: {"name": get(f"neg_{r.code}_name"), "deduction": get(f"neg_{r.code}_deduction"),
                              "veto": get(f"neg_{r.code}_veto"), "active": get(f"neg_{r.code}_active")}
                     for r in base.negative_rules},
        "new_negative": {"name": form.new_name.data, "deduction": form.new_deduction.data, "veto": form.new_veto.data},
    }
