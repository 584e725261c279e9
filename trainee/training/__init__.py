from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.auth.models import Role
    from trainee.training import defaults, demo, progress  # noqa: F401  (reference, demo, evaluators)
    from trainee.training.views import bp

    app.register_blueprint(bp)
    nav.add(_l("我的进度"), "training.my_progress", order=10, roles=(Role.TRAINEE,))
    nav.home_widget("training/_trainee_widget.html", _trainee_widget, order=10, roles=(Role.TRAINEE,))


def _trainee_widget(user):
    from trainee import policy
    from trainee.training.progress import person_progress

    if user.person is None or not user.person.is_trainee:
        return None
    return {"progress": person_progress(user.person), "read_only": policy.is_read_only(user.person)}
