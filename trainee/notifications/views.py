from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainee.core.params import safe_local_url
from trainee.core.time import utcnow
from trainee.extensions import db
from trainee.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def unread_of(user_id):
    """The count of unread notifications of `user_id` (a value, a bound parameter or a column to correlate)."""
    return db.select(db.func.count(Notification.id)).where(Notification.user_id == user_id,
                                                           Notification.read_at.is_(None))


# The menu's badge: the statement built once (web.load_user usually counts them with the user already).
_UNREAD = unread_of(db.bindparam("user_id"))


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return db.session.execute(_UNREAD, {"user_id": user.id}).scalar_one()


@bp.route("/")
@login_required
def inbox():
    query = db.select(Notification).where(Notification.user_id == current_user.id).order_by(Notification.id.desc())
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("notifications/inbox.html", page=page)


@bp.route("/<int:note_id>/open", methods=["POST"])
@login_required
def open_note(note_id: int):
    note = db.session.get(Notification, note_id)
    if note is None or note.user_id != current_user.id:
        return redirect(url_for("notifications.inbox"))
    if note.read_at is None:
        note.read_at = utcnow()  # reading is not a change to a record: not audited
        db.session.commit()
    link = note.link or ""
    return redirect(safe_local_url(link, url_for("notifications.inbox")))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    db.session.execute(db.update(Notification).where(Notification.user_id == current_user.id,
                                                     Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("notifications.inbox"))
