import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from trainee.auth import operations as ops
from trainee.auth.forms import ChangePasswordForm, LoginForm, TokenForm
from trainee.auth.models import ApiToken, EndedSession
from trainee.core.errors import DomainError, NotFound
from trainee.core.params import safe_local_url
from trainee.core.time import utcnow
from trainee.extensions import db, limiter

bp = Blueprint("auth", __name__)


def start_session() -> None:
    """Give the new sign-in session its own id and start time (checked on every request: session_in_time, web.load_user)."""
    session["sid"] = secrets.token_urlsafe(24)
    session["auth_at"] = utcnow().timestamp()


def end_session() -> None:
    """Remember the session's id as ended so that a copy of the cookie no longer signs anyone in."""
    sid = session.get("sid")
    if not sid:
        return
    oldest = utcnow() - current_app.config["PERMANENT_SESSION_LIFETIME"]
    db.session.execute(db.delete(EndedSession).where(EndedSession.ended_at < oldest))
    if db.session.get(EndedSession, sid) is None:
        db.session.add(EndedSession(sid=sid))
    db.session.commit()


def session_in_time() -> bool:
    """A signed-in browser session is valid while it has an id and is younger than PERMANENT_SESSION_LIFETIME
    (and was not signed out: the user loader, web.load_user, checks that in the same query as the user)."""
    sid, auth_at = session.get("sid"), session.get("auth_at")
    if not sid or not isinstance(auth_at, (int, float)):
        return False
    age = utcnow().timestamp() - auth_at
    return -60 <= age <= current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()


def _safe_next(target: str | None) -> str:
    return safe_local_url(target, url_for("web.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = ops.authenticate(form.username.data, form.password.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in: no fixation
            if lang:
                session["lang"] = lang
            start_session()
            login_user(user)
            if user.must_change_password:
                flash(_("首次登录，请先修改初始密码。"), "info")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    end_session()
    logout_user()
    session.clear()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        account = current_user.record
        try:
            ops.change_password(account, form.current_password.data, form.new_password.data)
        except DomainError as error:
            for field, messages in error.field_errors.items():
                getattr(form, field).errors.extend(messages)
            if not error.field_errors:
                flash(error.message, "error")
        else:
            login_user(account)  # keep this session under the new version
            flash(_("密码已修改，其他设备上的登录已失效。"), "success")
            return redirect(url_for("web.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account", methods=["GET"])
@login_required
def profile():
    return render_template("auth/profile.html", account=current_user.record, form=TokenForm(),
                           new_token=session.pop("new_token", None))


@bp.route("/account/tokens", methods=["POST"])
@login_required
@limiter.limit("20 per hour")
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        session["new_token"] = ops.issue_token(current_user.record, form.name.data)
        flash(_("令牌已创建。它只显示这一次，请立即复制保存。"), "success")
    else:
        flash(_("请填写令牌名称（不超过 100 个字符）。"), "error")
    return redirect(url_for("auth.profile"))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        raise NotFound("令牌不存在。")
    ops.revoke_token(current_user, token)
    flash(_("令牌已撤销。"), "success")
    return redirect(url_for("auth.profile"))
