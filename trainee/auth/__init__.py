from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.auth.views import bp

    app.register_blueprint(bp)
    nav.add(_l("我的账户"), "auth.profile", order=98)
