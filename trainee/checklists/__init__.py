"""双学铸魂: the political must-research and business must-learn checklists (issue #4)."""
from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.auth.models import Role
    from trainee.checklists import (  # noqa: F401  (loader, evaluator, receivers, demo and bulk steps, providers)
        defaults,
        demo,
        operations,
        providers,
        requirements,
    )
    from trainee.checklists.views import bp

    app.register_blueprint(bp)
    nav.add(_l("双学清单"), "checklists.mine", order=35, roles=(Role.TRAINEE,))
    nav.add(_l("带教清单"), "checklists.mentees", order=36, action="checklist.mentees")
    nav.add(_l("清单完成情况"), "checklists.completion", order=72, action="checklist.completion")
    nav.home_widget("checklists/_trainee_widget.html", _trainee_widget, order=20, roles=(Role.TRAINEE,))
    nav.home_widget("checklists/_mentor_widget.html", _mentor_widget, order=20, roles=(Role.MENTOR,))


def _trainee_widget(user):
    from trainee.checklists.queries import due_soon
    from trainee.core.time import local_today

    person = user.person
    if person is None or not person.is_trainee:
        return None
    overdue, soon = due_soon(person, local_today())
    return {"person": person, "overdue": overdue, "soon": soon}


def _mentor_widget(user):
    from trainee.checklists.queries import mentee_items
    from trainee.core.time import local_today

    if user.person_id is None:
        return None
    overdue, waiting = mentee_items(user.person_id, local_today())
    return {"overdue": overdue[:8], "waiting": waiting[:8], "more": max(len(overdue) - 8, 0) + max(len(waiting) - 8, 0)}
