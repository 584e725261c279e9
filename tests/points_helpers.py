"""Helpers for points and evaluation tests: people and approved activities without the activities UI."""
import itertools
from datetime import date

from trainee import signals
from trainee.extensions import db

_serial = itertools.count(1)


def make_unit():
    from trainee.org.models import Unit, UnitLevel

    unit = db.session.execute(db.select(Unit).where(Unit.code == "PT")).scalar_one_or_none()
    if unit is None:
        unit = Unit(code="PT", name="测试院", short_name="测试院", level=UnitLevel.CITY, path="/")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
    return unit


def make_trainee(unit=None, stage="S1", hire=date(2020, 1, 1)):
    from trainee.org.models import Person, Position
    from trainee.training.models import Stage, StageRecord

    unit = unit or make_unit()
    person = Person(staff_no=f"PT{next(_serial):05d}", name=f"测试{next(_serial)}", unit=unit,
                    position=Position.ASSISTANT, hire_date=hire)
    db.session.add(person)
    db.session.flush()
    if stage:
        stage_row = db.session.execute(db.select(Stage).where(Stage.code == stage)).scalar_one()
        db.session.add(StageRecord(person_id=person.id, stage_id=stage_row.id, start_date=hire))
    db.session.flush()
    return person


def approve(person, code: str, day: date, title="测试记录", commit=True):
    """Create an approved activity and send activity_approved, as the activities feature does."""
    from trainee.activities.models import Activity, ActivityStatus, ActivityType

    kind = db.session.execute(db.select(ActivityType).where(ActivityType.code == code)).scalar_one()
    activity = Activity(person_id=person.id, type=kind, date=day, title=title, status=ActivityStatus.APPROVED)
    db.session.add(activity)
    db.session.flush()
    signals.activity_approved.send(activity, actor=None)
    if commit:
        db.session.commit()
    return activity


def revoke(activity, reason="测试撤销", commit=True):
    from trainee.activities.models import ActivityStatus

    activity.status = ActivityStatus.REVOKED
    signals.activity_revoked.send(activity, actor=None, reason=reason)
    if commit:
        db.session.commit()
