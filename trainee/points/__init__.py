"""Points-based assessment (积分制考核): rules, ledger, aggregate, negative list."""
from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.auth.models import Role
    from trainee.points import cli, demo, receivers, rules, training_hooks  # noqa: F401  (signals, reference, demo, bulk, engine)
    from trainee.points.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(cli.points_group)
    nav.add(_l("我的积分"), "points.mine", order=35, roles=(Role.TRAINEE,))
    nav.add(_l("负面清单"), "points.negative_list", order=55, action="negative.list")
    nav.add(_l("积分规则"), "points.rules", order=83, action="points.rules.view")
    nav.home_widget("points/_widget.html", _widget, order=30, roles=(Role.TRAINEE,))
    nav.home_widget("points/_appeals_widget.html", _appeals_widget, order=40, roles=(Role.HR,))


def _widget(user):
    from trainee.core.time import local_today
    from trainee.points.ledger import totals

    if user.person is None or not user.person.is_trainee:
        return None
    year = local_today().year
    return {"year": year, "figures": totals(user.person_id, year), "person_id": user.person_id}


def _appeals_widget(user):
    from trainee import policy
    from trainee.extensions import db
    from trainee.org.models import Person
    from trainee.points.models import NegativeRecord, NegativeStatus

    pending = db.session.execute(db.select(NegativeRecord).join(Person, NegativeRecord.person_id == Person.id).where(
        NegativeRecord.status == NegativeStatus.APPEALED, policy.person_scope_filter(user))
        .order_by(NegativeRecord.appealed_at)).scalars().all()
    return {"pending": pending} if pending else None
