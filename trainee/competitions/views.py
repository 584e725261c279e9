from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from trainee import policy
from trainee.auth.models import Role
from trainee.competitions import certificates, queries
from trainee.competitions import operations as ops
from trainee.competitions.forms import (
    CoachForm,
    CompetitionForm,
    CorrectForm,
    EntryForm,
    HonourForm,
    MatchForm,
    MemberForm,
    OutcomeForm,
    ReasonForm,
    ReportForm,
    ResultForm,
    TalentForm,
    TeamForm,
    TeamResultForm,
)
from trainee.competitions.models import (
    HONOUR_TITLES,
    Award,
    Certificate,
    Competition,
    CompetitionKind,
    CompetitionResult,
    Honour,
    Level,
    Match,
    ResultStatus,
    TalentEntry,
    Team,
)
from trainee.core.errors import DomainError, NotFound, PermissionDenied
from trainee.core.forms import show_domain_error as _apply_errors
from trainee.core.params import as_int
from trainee.core.time import local_today
from trainee.extensions import db
from trainee.org.models import Person, Position
from trainee.org.queries import units_in_scope

bp = Blueprint("competitions", __name__, url_prefix="/competitions")


def _visible_competition(competition_id: int) -> Competition:
    competition = queries.load_competition(competition_id)
    if competition is None or not policy.can(current_user, "competition.view", competition):
        raise NotFound("没有找到此竞赛，或您无权查看。")
    return competition


def _get(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound("记录不存在，或您无权查看。")
    return obj


def _people(position=Position.ASSISTANT, under=None):
    """People of this position that the user manages (and, with `under`, within that unit's subtree)."""
    query = select(Person).where(policy.person_scope_filter(current_user), Person.position == position)
    if under is not None:
        from trainee.org.models import Unit
        query = query.where(Person.unit_id.in_(select(Unit.id).where(Unit.path.startswith(under.path))))
    return db.session.execute(query.order_by(Person.unit_id, Person.name)).scalars().all()


def _person_choices(people):
    return [("", "—")] + [(p.id, f"{p.name}（{p.unit.short_name}）") for p in people]


# --- list, create, edit ------------------------------------------------------------------------------

@bp.route("/")
@login_required
def competition_list():
    policy.require(current_user, "competition.list")
    year = as_int(request.args.get("year", ""), 1990, 2100)
    level = request.args.get("level") if request.args.get("level") in Level.__members__ else None
    kind = request.args.get("kind") if request.args.get("kind") in CompetitionKind.__members__ else None
    rows = queries.competitions_for(current_user, year, level, kind)
    return render_template("competitions/list.html", rows=rows, years=queries.competition_years(current_user),
                           year=year, level=level, kind=kind, levels=Level, kinds=CompetitionKind)


def _competition_form_choices(form: CompetitionForm) -> None:
    form.unit_id.choices = [(u.id, u.name) for u in units_in_scope(current_user)]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def competition_new():
    policy.require(current_user, "competition.manage")
    form = CompetitionForm()
    _competition_form_choices(form)
    if request.method == "GET":
        form.unit_id.data = current_user.unit_id
    if form.validate_on_submit():
        try:
            competition = ops.create_competition(current_user, form.to_data())
        except DomainError as error:
            _apply_errors(form, error)
        else:
            flash(_("已新建竞赛。"), "success")
            return redirect(url_for("competitions.competition_detail", competition_id=competition.id))
    return render_template("competitions/form.html", form=form, competition=None)


@bp.route("/<int:competition_id>/edit", methods=["GET", "POST"])
@login_required
def competition_edit(competition_id: int):
    competition = _visible_competition(competition_id)
    policy.require(current_user, "competition.manage", competition)
    form = CompetitionForm(obj=competition)
    if request.method == "GET":
        form.kind.data, form.level.data, form.format.data = (competition.kind.name, competition.level.name,
                                                             competition.format.name)
    _competition_form_choices(form)
    if form.validate_on_submit():
        try:
            ops.update_competition(current_user, competition, form.to_data())
        except DomainError as error:
            _apply_errors(form, error)
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("competitions.competition_detail", competition_id=competition.id))
    return render_template("competitions/form.html", form=form, competition=competition)


# --- detail and its actions --------------------------------------------------------------------------

def _detail_forms(competition: Competition, **given) -> dict:
    forms = {}
    if not policy.can(current_user, "competition.manage", competition):
        return forms
    trainees = _people(under=competition.unit)
    entered = {e.person_id for e in competition.entries}
    free = _person_choices([p for p in trainees if p.id not in entered])
    if competition.is_team:
        mentors = _person_choices(_people(Position.PROSECUTOR))
        teams = [("", "—")] + [(t.id, t.name) for t in competition.teams]
        members = [("", "—")] + [(e.person_id, f"{e.person.name}（{e.team.name}）")
                                 for e in competition.entries if e.team]
        forms["team"] = given.get("team") or TeamForm(formdata=None)
        forms["team"].coach_id.choices = mentors
        forms["team"].unit_id.choices = [("", "—")] + [(u.id, u.short_name) for u in units_in_scope(current_user)]
        forms["member"] = given.get("member") or MemberForm(formdata=None)
        forms["member"].person_id.choices = free
        forms["coach"] = given.get("coach") or CoachForm(formdata=None)
        forms["coach"].coach_id.choices = mentors
        forms["team_result"] = given.get("team_result") or TeamResultForm(formdata=None)
        forms["match"] = given.get("match") or MatchForm(formdata=None)
        for name in ("affirmative_id", "negative_id", "winner_id"):
            getattr(forms["match"], name).choices = teams
        forms["match"].best_debater_id.choices = members
        forms["outcome"] = given.get("outcome") or OutcomeForm(formdata=None)
        forms["outcome"].winner_id.choices = teams
        forms["outcome"].best_debater_id.choices = members
    else:
        forms["entry"] = given.get("entry") or EntryForm(formdata=None)
        forms["entry"].person_id.choices = free
        forms["result"] = given.get("result") or ResultForm(formdata=None)
        forms["result"].person_id.choices = [("", "—")] + [
            (e.person_id, e.person.name) for e in competition.entries if e.current_result is None]
    forms["correct"] = given.get("correct") or CorrectForm(formdata=None)
    forms["failed"] = given.get("failed")  # which inline form to open (its errors are shown)
    forms["failed_id"] = given.get("failed_id")
    return forms


def _render_detail(competition: Competition, status: int = 200, **given):
    table = queries.season_table(competition) if competition.is_team else []
    return render_template("competitions/detail.html", c=competition, forms=_detail_forms(competition, **given),
                           table=table, rounds=queries.bracket(competition) if competition.matches else [],
                           champion=queries.champion(competition) if competition.knockout else None,
                           today=local_today()), status


@bp.route("/<int:competition_id>")
@login_required
def competition_detail(competition_id: int):
    return _render_detail(_visible_competition(competition_id))


def _act(competition, name, form, action, success, failed_id=None):
    """Run an inline action of the detail page: redirect on success, re-render with the errors otherwise."""
    try:
        action()
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        db.session.rollback()
        _apply_errors(form, error)
        fresh = queries.load_competition(competition.id)
        return _render_detail(fresh, 422, **{name: form, "failed": name, "failed_id": failed_id})
    flash(success, "success")
    return redirect(url_for("competitions.competition_detail", competition_id=competition.id))


@bp.route("/<int:competition_id>/entries", methods=["POST"])
@login_required
def add_entry(competition_id: int):
    competition = _visible_competition(competition_id)
    form = EntryForm()
    form.validate_on_submit()
    return _act(competition, "entry", form,
                lambda: ops.add_entry(current_user, competition, form.person_id.data, form.work_title.data),
                _("已报名。"))


@bp.route("/<int:competition_id>/results", methods=["POST"])
@login_required
def record_result(competition_id: int):
    competition = _visible_competition(competition_id)
    form = ResultForm()
    form.validate_on_submit()
    return _act(competition, "result", form,
                lambda: ops.record_result(current_user, competition, form.person_id.data, form.award.data,
                                          form.date.data),
                _("已登记结果。"))


@bp.route("/results/<int:result_id>/correct", methods=["POST"])
@login_required
def correct_result(result_id: int):
    result = _get(CompetitionResult, result_id)
    competition = _visible_competition(result.competition_id)
    form = CorrectForm()
    form.validate_on_submit()
    return _act(competition, "correct", form,
                lambda: ops.correct_result(current_user, result, form.award.data, form.reason.data),
                _("已更正，原结果已冲销。"), failed_id=f"r{result.id}")


@bp.route("/<int:competition_id>/teams", methods=["POST"])
@login_required
def create_team(competition_id: int):
    competition = _visible_competition(competition_id)
    form = TeamForm()
    form.validate_on_submit()
    return _act(competition, "team", form,
                lambda: ops.create_team(current_user, competition, form.name.data, form.coach_id.data,
                                        form.unit_id.data),
                _("已组建队伍。"))


def _team(team_id: int) -> tuple[Team, Competition]:
    team = _get(Team, team_id)
    return team, _visible_competition(team.competition_id)


@bp.route("/teams/<int:team_id>/members", methods=["POST"])
@login_required
def add_member(team_id: int):
    team, competition = _team(team_id)
    form = MemberForm()
    form.validate_on_submit()
    return _act(competition, "member", form, lambda: ops.add_member(current_user, team, form.person_id.data),
                _("已添加队员。"), failed_id=f"t{team.id}")


@bp.route("/teams/<int:team_id>/coach", methods=["POST"])
@login_required
def set_coach(team_id: int):
    team, competition = _team(team_id)
    form = CoachForm()
    form.validate_on_submit()
    return _act(competition, "coach", form, lambda: ops.set_coach(current_user, team, form.coach_id.data),
                _("已设置团队导师。"), failed_id=f"t{team.id}")


@bp.route("/teams/<int:team_id>/result", methods=["POST"])
@login_required
def team_result(team_id: int):
    team, competition = _team(team_id)
    form = TeamResultForm()
    form.validate_on_submit()
    return _act(competition, "team_result", form,
                lambda: ops.record_team_result(current_user, team, form.award.data, form.date.data),
                _("已登记队伍结果，每名队员各记一次。"), failed_id=f"t{team.id}")


@bp.route("/teams/<int:team_id>/correct", methods=["POST"])
@login_required
def team_correct(team_id: int):
    team, competition = _team(team_id)
    form = CorrectForm()
    form.validate_on_submit()
    return _act(competition, "correct", form,
                lambda: ops.correct_team_result(current_user, team, form.award.data, form.reason.data),
                _("已更正队伍结果，原结果已冲销。"), failed_id=f"t{team.id}")


@bp.route("/<int:competition_id>/matches", methods=["POST"])
@login_required
def add_match(competition_id: int):
    competition = _visible_competition(competition_id)
    form = MatchForm()
    form.validate_on_submit()
    return _act(competition, "match", form, lambda: ops.add_match(current_user, competition, form.to_data()),
                _("已添加对垒场次。"))


@bp.route("/matches/<int:match_id>/outcome", methods=["POST"])
@login_required
def match_outcome(match_id: int):
    match = _get(Match, match_id)
    competition = _visible_competition(match.competition_id)
    form = OutcomeForm()
    form.validate_on_submit()
    return _act(competition, "outcome", form,
                lambda: ops.set_match_outcome(current_user, match, form.winner_id.data, form.best_debater_id.data),
                _("已登记比赛结果。"), failed_id=f"m{match.id}")


@bp.route("/<int:competition_id>/bracket")
@login_required
def bracket(competition_id: int):
    competition = _visible_competition(competition_id)
    if not competition.is_team:
        abort(404)
    return render_template("competitions/bracket.html", c=competition, rounds=queries.bracket(competition),
                           table=queries.season_table(competition), champion=queries.champion(competition))


# --- a person's record, reports and verification -----------------------------------------------------

def _record_person(person_id: int) -> Person:
    person = policy.get_visible_person(current_user, person_id)
    policy.require(current_user, "competition.record", person)
    return person


@bp.route("/mine")
@login_required
def mine():
    if not current_user.person_id:
        abort(404)
    return redirect(url_for("competitions.record", person_id=current_user.person_id))


@bp.route("/people/<int:person_id>")
@login_required
def record(person_id: int):
    person = _record_person(person_id)
    can_verify = policy.can(current_user, "competition.verify", person)
    return render_template("competitions/record.html", person=person, rec=queries.person_record(person),
                           can_verify=can_verify, can_report=policy.can(current_user, "competition.report", person),
                           correct_form=CorrectForm(formdata=None), reason_form=ReasonForm(formdata=None),
                           ResultStatus=ResultStatus)


def _report_page(person_id: int, form_cls, template: str, operation, success: str):
    person = _record_person(person_id)
    if not (policy.can(current_user, "competition.report", person)
            or policy.can(current_user, "competition.verify", person)):
        policy.require(current_user, "competition.report", person)
    form = form_cls()
    status = 200
    if form.validate_on_submit():
        upload = form.certificate.data if getattr(form.certificate.data, "filename", None) else None
        try:
            operation(current_user, person, form.to_data(), upload)
        except (PermissionDenied, NotFound):
            raise
        except DomainError as error:
            db.session.rollback()
            _apply_errors(form, error)
            status = 422
        else:
            flash(success, "success")
            return redirect(url_for("competitions.record", person_id=person.id))
    elif request.method == "POST":
        status = 422
    return render_template(template, form=form, person=person, titles=HONOUR_TITLES,
                           by_hr=policy.can(current_user, "competition.verify", person)), status


@bp.route("/people/<int:person_id>/report", methods=["GET", "POST"])
@login_required
def report(person_id: int):
    person = _record_person(person_id)
    policy.require(current_user, "competition.report", person)
    return _report_page(person_id, ReportForm, "competitions/report.html",
                        lambda actor, p, data, upload: ops.report_external(actor, p, data, upload),
                        _("已申报，政治部核实后计入。"))


@bp.route("/people/<int:person_id>/honours/new", methods=["GET", "POST"])
@login_required
def honour_new(person_id: int):
    return _report_page(person_id, HonourForm, "competitions/honour_form.html", ops.create_honour,
                        _("已保存荣誉。"))


@bp.route("/people/<int:person_id>/talent/new", methods=["GET", "POST"])
@login_required
def talent_new(person_id: int):
    return _report_page(person_id, TalentForm, "competitions/talent_form.html", ops.create_talent_entry,
                        _("已保存人才库入库信息。"))


@bp.route("/verify")
@login_required
def verify_queue():
    policy.require(current_user, "competition.verify")
    results, honours, talents = queries.pending_verifications(current_user)
    return render_template("competitions/verify.html", results=results, honours=honours, talents=talents,
                           reason_form=ReasonForm(formdata=None))


def _back(person):
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("competitions.record", person_id=person.id))


def _simple(person, action, success):
    try:
        action()
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(success, "success")
    return _back(person)


def _visible_result(result_id: int) -> CompetitionResult:
    result = _get(CompetitionResult, result_id)
    policy.get_visible_person(current_user, result.person_id)
    return result


@bp.route("/results/<int:result_id>/verify", methods=["POST"])
@login_required
def verify_result(result_id: int):
    result = _visible_result(result_id)
    return _simple(result.person, lambda: ops.verify_result(current_user, result), _("已核实，结果计入。"))


@bp.route("/results/<int:result_id>/reject", methods=["POST"])
@login_required
def reject_result(result_id: int):
    result = _visible_result(result_id)
    form = ReasonForm()
    form.validate_on_submit()
    return _simple(result.person, lambda: ops.reject_result(current_user, result, form.reason.data),
                   _("已退回申报。"))


@bp.route("/results/<int:result_id>/amend", methods=["POST"])
@login_required
def amend_result(result_id: int):
    """Correct a result from the person's record (the same rule as on the competition page)."""
    result = _visible_result(result_id)
    form = CorrectForm()
    form.validate_on_submit()
    return _simple(result.person, lambda: ops.correct_result(current_user, result, form.award.data, form.reason.data),
                   _("已更正，原结果已冲销。"))


def _personal(model, record_id):
    record = _get(model, record_id)
    policy.get_visible_person(current_user, record.person_id)
    return record


@bp.route("/<any(honours, talent):kind>/<int:record_id>/verify", methods=["POST"])
@login_required
def verify_record(kind: str, record_id: int):
    record = _personal(Honour if kind == "honours" else TalentEntry, record_id)
    return _simple(record.person, lambda: ops.verify_record(current_user, record), _("已核实，计入成长档案。"))


@bp.route("/<any(honours, talent):kind>/<int:record_id>/close", methods=["POST"])
@login_required
def close_record(kind: str, record_id: int):
    record = _personal(Honour if kind == "honours" else TalentEntry, record_id)
    form = ReasonForm()
    form.validate_on_submit()
    return _simple(record.person, lambda: ops.close_record(current_user, record, form.reason.data),
                   _("已处理。"))


@bp.route("/certificates/<int:certificate_id>")
@login_required
def certificate(certificate_id: int):
    cert = _get(Certificate, certificate_id)
    person = policy.get_visible_person(current_user, cert.person_id)
    policy.require(current_user, "competition.record", person)
    path = certificates.path_of(cert)
    if not path.exists():
        raise NotFound("证书文件不存在。")
    response = send_file(path, mimetype=cert.content_type, download_name=cert.original_name,
                         as_attachment=cert.content_type == "application/pdf")
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


# --- HR's yearly summary -----------------------------------------------------------------------------

@bp.route("/summary")
@login_required
def summary():
    policy.require(current_user, "competition.summary")
    this_year = local_today().year
    year = as_int(request.args.get("year", ""), 1990, 2100, default=this_year)
    data = queries.year_summary(current_user, year)
    previous = queries.year_summary(current_user, year - 1)
    years = sorted(set(queries.competition_years(current_user)) | {this_year}, reverse=True)
    return render_template("competitions/summary.html", s=data, prev=previous, years=years, levels=list(Level),
                           awards=list(Award), colours=queries.AWARD_COLOURS, Role=Role, date=date)
