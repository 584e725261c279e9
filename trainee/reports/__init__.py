from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.auth.models import Role
    from trainee.reports.charts import fit_label
    from trainee.reports.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(fit_label)
    nav.add(_l("统计"), "reports.overview_page", order=70, action="reports.view")
    nav.home_widget("reports/_home_widget.html", _home_widget, order=10, roles=(Role.HR, Role.ADMIN))


def _home_widget(user):
    from trainee.reports.overview import overview

    return {"data": overview(user)}
