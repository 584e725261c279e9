from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.auth.models import Role
    from trainee.training import admin_views, defaults, demo, progress, widgets  # noqa: F401
    from trainee.training.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_views.bp)
    nav.add(_l("我的进度"), "training.my_progress", order=10, roles=(Role.TRAINEE,))
    nav.add(_l("培养模型"), "training_admin.model", order=85, action="training.admin")
    nav.home_widget("training/_trainee_widget.html", widgets.trainee_widget, order=10, roles=(Role.TRAINEE,))
    nav.home_widget("training/_mentor_widget.html", widgets.mentor_widget, order=10, roles=(Role.MENTOR,))
    nav.home_widget("training/_hr_widget.html", widgets.hr_widget, order=10, roles=(Role.HR,))
    nav.home_widget("training/_head_widget.html", widgets.head_widget, order=15, roles=(Role.DEPT_HEAD,))
