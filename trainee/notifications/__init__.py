"""The in-app notification centre. Other features call `notify(...)` inside their own transaction."""
from flask_babel import lazy_gettext as _l


def notify(recipient, kind: str, text: str, link: str | None = None, key: str | None = None):
    """Queue a notification for a User or a Person (their account); no-op for people without an account.

    With `key`, a second call with the same key does nothing (reminder sweeps are safe to repeat).
    """
    from trainee.auth.models import User
    from trainee.extensions import db
    from trainee.notifications.models import Notification

    user = recipient if isinstance(recipient, User) else getattr(recipient, "user", None)
    if user is None:
        return None
    if key and db.session.execute(db.select(Notification.id).where(Notification.key == key)).first():
        return None
    note = Notification(user_id=user.id, kind=kind, text=text[:300], link=link, key=key)
    db.session.add(note)
    return note


def register(app):
    from flask_login import current_user

    from trainee import nav
    from trainee.notifications.views import bp, unread_count

    app.register_blueprint(bp)
    nav.add(_l("消息"), "notifications.inbox", order=90)
    app.jinja_env.globals["unread_notifications"] = lambda: unread_count(current_user)
