"""Progress dossiers (成长档案): PDF per person or per unit, registered and verifiable."""
from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.dossiers import cli, models  # noqa: F401  (models: registered with the metadata)
    from trainee.dossiers.views import bp

    app.register_blueprint(bp)
    app.jinja_env.filters["cn_numeral"] = cn_numeral
    nav.add(_l("档案打印"), "dossiers.batch", order=70, action="dossier.batch")
    nav.add(_l("档案核验"), "dossiers.verify", order=90)
    cli.register(app)


NUMERALS = "零一二三四五六七八九十"


def cn_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (section numbers)."""
    if n <= 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens] if tens > 1 else "") + "十" + (NUMERALS[ones] if ones else "")
