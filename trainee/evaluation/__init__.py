"""Evaluation (考评): quarterly analysis (季度节点分析) and annual evaluation (全年综合评价)."""
from flask_babel import lazy_gettext as _l


def register(app):
    from trainee import nav
    from trainee.auth.models import Role
    from trainee.evaluation import demo  # noqa: F401  (demo step)
    from trainee.evaluation.views import bp

    app.register_blueprint(bp)
    nav.add(_l("考评"), "evaluation.index", order=60, roles=(Role.TRAINEE, Role.MENTOR, Role.DEPT_HEAD, Role.HR))
    nav.home_widget("evaluation/_widget.html", _todo_widget, order=35, roles=(Role.TRAINEE, Role.MENTOR, Role.DEPT_HEAD))


def _todo_widget(user):
    """Open annual evaluations waiting for this user: own self-summary, or a mentee to score."""
    from trainee.evaluation.models import CycleStatus, Evaluation, EvaluationCycle
    from trainee.extensions import db

    if not user.person_id:
        return None
    base = db.select(Evaluation).join(EvaluationCycle).where(EvaluationCycle.status == CycleStatus.OPEN)
    own = db.session.execute(base.where(Evaluation.person_id == user.person_id,
                                        Evaluation.summary_submitted_at.is_(None))).scalars().all()
    to_score = db.session.execute(base.where(Evaluation.mentor_id == user.person_id,
                                             Evaluation.summary_submitted_at.is_not(None),
                                             Evaluation.mentor_score.is_(None))).scalars().all()
    if not own and not to_score:
        return None
    return {"own": own, "to_score": to_score}
