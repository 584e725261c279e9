"""The in-app notification centre. Other features call `notify(...)` inside their own transaction."""
from flask_babel import lazy_gettext as _l


def notify(recipient, kind: str, text: str, link: str | None = None, key: str | None = None):
    """Queue a notification for a User or a Person (their account); no-op for people without an account.

    With `key`, a second call with the same key does nothing (reminder sweeps are safe to repeat).
    """
    from trainee.auth.models import User
    from trainee.auth.signed_in import SignedInUser
    from trainee.extensions import db
    from trainee.notifications.models import Notification

    if isinstance(recipient, SignedInUser):
        recipient = recipient.record
    user = recipient if isinstance(recipient, User) else getattr(recipient, "user", None)
    if user is None:
        return None
    if key and db.session.execute(db.select(Notification.id).where(Notification.key == key)).first():
        return None
    note = Notification(user_id=user.id, kind=kind, text=text[:300], link=link, key=key)
    db.session.add(note)
    return note


# The daily reminder sweep (`flask --app app remind`): features register func(today) -> {label: count}.
# Each sweep must be safe to run twice (notify(..., key=...) sends a keyed reminder once).
REMINDERS: list = []


def reminder(func):
    if all(f.__qualname__ != func.__qualname__ or f.__module__ != func.__module__ for f in REMINDERS):
        REMINDERS.append(func)
    return func


def run_reminders(today=None) -> dict:
    results = {}
    for func in REMINDERS:
        results[f"{func.__module__}.{func.__name__}"] = func(today)
    return results


def register(app):
    import click
    from flask import g
    from flask_login import current_user

    from trainee import nav
    from trainee.notifications.views import bp, unread_count

    app.register_blueprint(bp)
    nav.add(_l("消息"), "notifications.inbox", order=90)

    def unread_badge() -> int:
        """The menu's unread count, once per request (a kept page also puts it in its key)."""
        if "unread_badge" not in g:
            user = current_user._get_current_object()  # loading the user counts them (web.load_user)
            if "unread_badge" not in g:
                g.unread_badge = unread_count(user)
        return g.unread_badge

    app.jinja_env.globals["unread_notifications"] = unread_badge

    @app.cli.command("remind")
    @click.option("--date", "on_date", default=None, type=click.DateTime(formats=["%Y-%m-%d"]),
                  help="按指定日期运行（默认今天，Asia/Shanghai）")
    def remind_command(on_date):
        """每日提醒：到期前 7 天与逾期时提醒（可重复运行，不会重复发送）。"""
        for name, counts in run_reminders(on_date.date() if on_date else None).items():
            click.echo(f"{name}: " + "，".join(f"{k} {v}" for k, v in (counts or {}).items()))
