"""Competitions, team face-offs, honours and the talent pool (赛训结合 · 团队对垒 · 荣誉 · 人才库)."""
from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.auth.models import Role
    from trainee.competitions import demo, requirements  # noqa: F401  (evaluator, demo and bulk steps)
    from trainee.competitions.views import bp

    app.register_blueprint(bp)
    nav.add(_l("竞赛荣誉"), "competitions.competition_list", order=60, action="competition.list")
    nav.home_widget("competitions/_record_widget.html", _record_widget, order=60, roles=(Role.TRAINEE,))
    nav.home_widget("competitions/_hr_widget.html", _hr_widget, order=65, roles=(Role.HR,))


def _record_widget(user):
    from trainee.competitions.queries import person_record

    if user.person is None:
        return None
    rec = person_record(user.person)
    return {"person": user.person, "rec": rec, "entries": rec.entries[:4], "honours": rec.honours[:3]}


def _hr_widget(user):
    from trainee.competitions.queries import pending_verifications

    results, honours, talents = pending_verifications(user)
    return {"pending": len(results) + len(honours) + len(talents)}
