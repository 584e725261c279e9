"""The progress log (工作纪实): entries with evidence, the mentor's review, HR's revocation."""
from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.activities import defaults, demo, receivers  # noqa: F401  (reference loader, demo/bulk steps, signals)
    from trainee.activities.cli import activities_group
    from trainee.activities.views import bp
    from trainee.auth.models import Role

    app.register_blueprint(bp)
    app.cli.add_command(activities_group)
    nav.add(_l("工作纪实"), "activities.mine", order=20, roles=(Role.TRAINEE,))
    nav.add(_l("待审核"), "activities.review_queue", order=22, action="activity.queue")
    nav.home_widget("activities/_trainee_widget.html", _trainee_widget, order=20, roles=(Role.TRAINEE,))
    nav.home_widget("activities/_mentor_widget.html", _mentor_widget, order=5, roles=(Role.MENTOR,))
    nav.home_widget("activities/_hr_widget.html", _hr_widget, order=20, roles=(Role.HR,))


def _trainee_widget(user):
    from trainee import policy
    from trainee.activities.queries import trainee_home

    if user.person is None or not user.person.is_trainee:
        return None
    return {**trainee_home(user.person_id), "may_create": policy.can(user, "activity.create", user.person)}


def _mentor_widget(user):
    from trainee.activities.queries import OVERDUE_DAYS, queue_summary

    if user.person_id is None:
        return None
    return {**queue_summary(user.person_id), "overdue_days": OVERDUE_DAYS}


def _hr_widget(user):
    from trainee.activities.queries import OVERDUE_DAYS, overdue_in_scope

    rows = overdue_in_scope(user)
    return {"rows": rows, "overdue_days": OVERDUE_DAYS} if rows else None
