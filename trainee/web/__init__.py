"""Cross-cutting web concerns: locale, sign-in loading, security headers, errors, home and help."""
from datetime import timedelta

from babel import Locale
from flask import (
    Blueprint,
    g,
    has_request_context,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup
from sqlalchemy import bindparam, exists, outerjoin, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from trainee import nav, policy
from trainee.auth.models import ApiToken, EndedSession, Role, User, UserRole
from trainee.auth.signed_in import COLUMNS as SIGNED_IN_COLUMNS
from trainee.auth.signed_in import SignedInUser
from trainee.core import freshness
from trainee.core import time as t
from trainee.core.errors import DomainError
from trainee.core.params import safe_local_url
from trainee.core.time import utcnow
from trainee.extensions import babel, db, login_manager
from trainee.notifications.views import unread_of
from trainee.web.kept import kept_page

bp = Blueprint("web", __name__)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

ERROR_TEXT = {
    400: _l("请求有误，请检查后重试。"),
    403: _l("您无权访问此页面。"),
    404: _l("页面不存在，或您无权查看。"),
    405: _l("不支持此请求方式。"),
    413: _l("上传的文件过大。单个文件不超过 10 MB。"),
    429: _l("操作过于频繁，请稍后再试。"),
    500: _l("系统出现错误，已记录。请稍后再试。"),
}


CHANGED_BY_SOMEONE_ELSE = _l("此记录已被他人修改，请刷新页面后重试。")


def select_locale():
    if not has_request_context():  # CLI commands and background jobs (e.g. batch dossiers)
        return "zh_CN"
    lang = session.get("lang") or (current_user.locale if current_user.is_authenticated else None)
    if lang in ("zh_CN", "en"):
        return lang
    return "zh_CN"


# Parsed once: Flask-Babel parses the selector's answer on every request unless it is already a Locale.
LOCALES = {code: Locale.parse(code) for code in ("zh_CN", "en")}


def select_babel_locale() -> Locale:
    return LOCALES[select_locale()]


def _user():
    """The signed-in user itself (auth.signed_in.SignedInUser; a User right after sign-in and for the API): each
    attribute read through the `current_user` proxy costs a lookup."""
    return current_user._get_current_object()


# The API's bearer user is a mapped User (its token is checked against it): the roles loaded with it.
USER_EAGER = (joinedload(User.role_rows),)
# Built once: statements run on every request are not put together again each time (about half their cost).
# The signed-in user's facts (auth.signed_in) and roles (one row per role), and beside them, in the same round
# trip: whether this browser session was signed out, the menu's unread count (every page draws it) and the change
# counters of the user's own pages (core/freshness). One statement instead of three matters most on PostgreSQL,
# where each round trip costs the worker and the server more than the query itself.
_USER_BY_ID = (
    select(
        *SIGNED_IN_COLUMNS,
        UserRole.role,
        exists().where(EndedSession.sid == bindparam("sid")).label("signed_out"),
        unread_of(User.id).scalar_subquery().label("unread"),
        *freshness.read_with_user(User.person_id),
    )
    .select_from(outerjoin(User, UserRole, UserRole.user_id == User.id))
    .where(User.id == bindparam("uid"))
)


@login_manager.user_loader
def load_user(user_id: str):
    """The signed-in user, or None when the session is no longer valid: the session holds "id:version" (a
    password change bumps the version and ends old sessions) and its own id ("sid"), listed once signed out.
    Read as plain rows on the session's connection (its transaction): no ORM objects are built for it."""
    try:
        uid, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    sid = session.get("sid")
    rows = db.session.connection().execute(_USER_BY_ID, {"uid": uid, "sid": sid or ""}).all()
    if not rows or not sid:
        return None
    row = rows[0]
    if row.signed_out or row.session_version != version or not row.active:
        return None
    g.unread_badge = row.unread  # notifications.unread_badge() reads it instead of asking again
    freshness.note_read_with_user(row.person_id, row.shared_counter, row.own_counter)
    return SignedInUser(row, frozenset(r.role for r in rows if r.role is not None))


def bearer_user():
    """The user of a valid Bearer token, for the API; None otherwise."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = db.session.execute(
        db.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(header[7:].strip()))
        .options(joinedload(ApiToken.user).options(*USER_EAGER))
    ).unique().scalar_one_or_none()
    if token is None or not token.is_valid:
        return None
    # Record use at most every ten minutes: an API read should not be a database write.
    if token.last_used_at is None or utcnow() - token.last_used_at > timedelta(minutes=10):
        token.last_used_at = utcnow()
        db.session.commit()
    return token.user


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message, code: str | None = None):
    if wants_json():
        return jsonify(error={"code": code or _error_code(status), "message": str(message)}), status
    return render_template("errors/error.html", status=status, message=message), status


def _error_code(status: int) -> str:
    return {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "validation_failed",
            429: "rate_limited"}.get(status, "server_error")


@bp.app_errorhandler(HTTPException)
def handle_http_error(error: HTTPException):
    status = error.code or 500
    if status == 401:
        if wants_json():
            return error_response(401, "需要身份验证：请提供有效的 Bearer 令牌。")
        return redirect(url_for("auth.login", next=request.full_path))
    message = ERROR_TEXT.get(status, error.description)
    if wants_json() and status in (400, 422) and error.description:
        message = error.description
    response = make_response(error_response(status, message))
    for name, value in error.get_headers():  # what the status calls for: Retry-After (429), Allow (405)
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@bp.app_errorhandler(DomainError)
def handle_domain_error(error: DomainError):
    if wants_json():
        body = {"code": error.code, "message": error.message}
        if error.field_errors:
            body["fields"] = error.field_errors
        return jsonify(error=body), error.status
    return render_template("errors/error.html", status=error.status, message=error.message), error.status


@bp.app_errorhandler(StaleDataError)
def handle_concurrent_change(_error):
    """Someone else changed the row between our read and our write (optimistic version check)."""
    db.session.rollback()
    return error_response(409, CHANGED_BY_SOMEONE_ELSE, "conflict")


@bp.app_errorhandler(Exception)
def handle_unexpected(error: Exception):
    from flask import current_app

    db.session.rollback()
    current_app.logger.exception("unhandled error")
    if current_app.config.get("TESTING") and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
        raise error
    return error_response(500, ERROR_TEXT[500])


@bp.after_app_request
def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint and request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.before_app_request
def end_dead_sessions():
    """Sessions end on sign-out (even a copied cookie), after the maximum age, and on password change (both
    checked by load_user)."""
    from trainee.auth.views import session_in_time

    if "_user_id" in session and not (session_in_time() and current_user.is_authenticated):
        logout_user()
        session.clear()
    return None


@bp.before_app_request
def force_password_change():
    user = _user()
    if (user.is_authenticated and user.must_change_password
            and request.endpoint not in ("auth.change_password", "auth.logout", "static", "web.set_language")
            and not request.path.startswith("/api/")):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    return redirect(url_for("auth.login"))


@bp.route("/home")
@login_required
def home():
    user = _user()
    roles = sorted(user.roles, key=ROLE_ORDER.index)
    chosen = user.primary_role
    role = request.args.get("role")
    if role:
        chosen = next((r for r in roles if r.value == role), None)
        if chosen is None:
            return error_response(403, ERROR_TEXT[403])

    def render():
        widgets = render_template("home/_widgets.html", widgets=nav.widgets_for(user, chosen))
        return render_template("home/home.html", role=chosen, roles=roles,
                               widgets_html=Markup(widgets))  # noqa: S704  # nosec B704 (the output of an autoescaped template)

    if chosen not in KEPT_HOME_ROLES or user.person_id is None:
        return render()
    return kept_page(f"home-{chosen.value}", [user.person_id], render)


# Roles whose home shows only their own person's data: the page is kept rendered (web/kept.py).
KEPT_HOME_ROLES = (Role.TRAINEE,)
ROLE_ORDER = list(Role)  # the home's role tabs in the order the roles are declared


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in ("zh_CN", "en"):
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.record.locale = code  # remembered for the next sign-in
            db.session.commit()
    return redirect(safe_local_url(request.form.get("next"), url_for("web.index")))


@bp.route("/help")
@login_required
def help_page():
    return render_template("help.html")


def _nl2br(value):
    from markupsafe import escape

    return Markup("<br>").join(escape(value or "").split("\n"))


def register(app):
    if app.config.get("FRAGMENT_CACHE_MB"):
        from trainee.core.freshness import FragmentCache

        app.extensions["fragments"] = FragmentCache(app.config["FRAGMENT_CACHE_MB"] * 2**20)
    babel.init_app(app, locale_selector=select_babel_locale, timezone_selector=lambda: "Asia/Shanghai")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
    app.jinja_env.filters["date"] = t.format_date
    app.jinja_env.filters["datetime"] = t.format_datetime
    app.jinja_env.filters["nl2br"] = _nl2br
    app.jinja_env.globals.update(can=lambda action, obj=None: policy.can(_user(), action, obj),
                                 nav_items=lambda: nav.items_for(_user()) if current_user.is_authenticated else [],
                                 get_locale=get_locale, current_lang=select_locale, Role=Role)
    nav.add(_l("首页"), "web.home", order=0)
    nav.add(_l("使用帮助"), "web.help_page", order=99)
