"""Pages of the training feature: progress, sign-off, promotion, career. Thin: operations do the work."""
from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from trainee import policy
from trainee.extensions import db
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.training import progress as engine

bp = Blueprint("training", __name__)


def primary_mentor(person):
    return db.session.execute(db.select(MentorAssignment).where(
        MentorAssignment.trainee_id == person.id, MentorAssignment.kind == AssignmentKind.PRIMARY,
        MentorAssignment.end_date.is_(None))).scalar_one_or_none()


def _visible_trainee(person_id: int):
    person = policy.get_visible_person(current_user, person_id)
    policy.require(current_user, "progress.view", person)
    return person


@bp.route("/trainees/<int:person_id>/progress")
@login_required
def progress_page(person_id: int):
    person = _visible_trainee(person_id)
    assignment = primary_mentor(person)
    return render_template(
        "training/progress.html", person=person, progress=engine.person_progress(person),
        events=engine.history(person), mentor=assignment.mentor if assignment else None,
        read_only=policy.is_read_only(person),
        viewer_past_mentor=policy.was_mentor(current_user, person) and not policy.is_current_mentor(current_user, person),
        has_career="training.career_page" in current_app.view_functions)


@bp.route("/my/progress")
@login_required
def my_progress():
    from flask import abort, redirect, url_for

    if current_user.person is None or not current_user.person.is_trainee:
        abort(404)
    return redirect(url_for("training.progress_page", person_id=current_user.person_id))
