from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.admin.views import bp

    app.register_blueprint(bp)
    nav.add(_l("用户"), "admin.users", order=80, action="admin.users")
    nav.add(_l("单位与部门"), "admin.units", order=81, action="admin.units")
    nav.add(_l("审计日志"), "admin.audit_log", order=82, action="audit.view")
