from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.auth.models import Role
    from trainee.org import import_views  # noqa: F401  (routes on the org blueprint)
    from trainee.org.views import bp

    app.register_blueprint(bp)
    from trainee.org.importer import register_cli

    register_cli(app)
    nav.add(_l("人员"), "org.people_list", order=20, action="people.list")
    nav.home_widget("home/_people_widget.html", _people_widget, order=80, roles=(Role.HR, Role.ADMIN, Role.DEPT_HEAD))


def _people_widget(user):
    from trainee.org.queries import PeopleFilter, paginate_people

    items, _page, _pages, total = paginate_people(user, PeopleFilter(), 1, 10)
    return {"people": items, "total": total}
