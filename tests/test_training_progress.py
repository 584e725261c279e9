"""The progress engine: statuses derived from stage, requirements and sign-offs; constant query counts."""
from datetime import timedelta

import pytest
from sqlalchemy import event

from trainee.activities.models import Activity, ActivityStatus, ActivityType
from trainee.core.time import local_today
from trainee.training.models import TransitionStatus
from trainee.training.progress import person_progress


def add_activities(db, person, type_code, n, *, status=ActivityStatus.APPROVED, day=None):
    type_id = db.session.execute(db.select(ActivityType.id).where(ActivityType.code == type_code)).scalar_one()
    day = day or local_today() - timedelta(days=3)
    db.session.add_all([Activity(person_id=person.id, type_id=type_id, date=day, title=f"{type_code} {i}",
                                 status=status) for i in range(n)])
    db.session.commit()


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hit)

    def _hit(self, *args):
        self.count += 1


def test_stage_two_trainee_has_stage_one_reached_stage_three_locked(demo):
    progress = person_progress(demo["trainee"].person)
    assert progress.current.stage.code == "S2"
    assert [s.phase for s in progress.stages] == ["past", "current", "future"]
    assert progress.transition("T7").status is TransitionStatus.LOCKED
    assert progress.transition("T4").status is TransitionStatus.IN_PROGRESS


def _without_demo_entries(db, person):
    """Start from an empty progress log (the demo gives `trainee` a realistic one)."""
    from trainee.activities.models import Evidence

    ids = db.select(Activity.id).where(Activity.person_id == person.id)
    db.session.execute(db.delete(Evidence).where(Evidence.activity_id.in_(ids)))
    db.session.execute(db.delete(Activity).where(Activity.person_id == person.id))
    db.session.commit()


def test_approved_activities_in_the_stage_count_and_others_do_not(demo, db):
    person = demo["trainee"].person
    _without_demo_entries(db, person)
    add_activities(db, person, "SIMPLE_CASE", 4)
    add_activities(db, person, "SIMPLE_CASE", 2, status=ActivityStatus.SUBMITTED)
    stage_start = person_progress(person).current.start
    add_activities(db, person, "SIMPLE_CASE", 3, day=stage_start - timedelta(days=1))
    requirement = person_progress(person).transition("T4").requirements[0]
    assert requirement.progress.done == 4 and requirement.progress.target == 10
    assert requirement.progress.text.startswith("4 / 10")
    assert "再记录并通过 6 条" in requirement.hint


def test_unregistered_kinds_are_reported_as_not_yet_available(demo, monkeypatch):
    from trainee.training import requirements

    monkeypatch.delitem(requirements.EVALUATORS, requirements.RequirementKind.CHECKLIST)
    t1 = person_progress(demo["trainee2"].person).transition("T1")
    checklist = [r for r in t1.requirements if r.requirement.kind.name == "CHECKLIST"][0]
    assert not checklist.progress.available and "尚未启用" in checklist.progress.text


def test_trainee_home_shows_three_stages_nine_transitions_and_next_steps(as_role):
    html = as_role("trainee").get("/home").get_data(as_text=True)
    assert "我的三阶九转" in html and "下一步" in html
    for code in [f"T{i}" for i in range(1, 10)] + ["初阶", "中阶", "高阶"]:
        assert code in html
    assert "<svg" in html


def test_progress_page_query_count_does_not_grow_with_activities(app, as_role, demo, db):
    client = as_role("mentor")
    person = demo["trainee"].person
    url = f"/trainees/{person.id}/progress"
    add_activities(db, person, "SIMPLE_CASE", 2)
    client.get(url)
    with QueryCounter(db.engine) as few:
        assert client.get(url).status_code == 200
    for code in ("SIMPLE_CASE", "REVIEW_REPORT", "MAJOR_CASE", "RESEARCH", "ASSIST_CASE"):
        add_activities(db, person, code, 40)
    with QueryCounter(db.engine) as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, (few.count, many.count)
    assert few.count < 40


def test_progress_for_many_trainees_costs_a_constant_number_of_queries(app, demo, db):
    from trainee.org.models import Person, Position
    from trainee.training.progress import progress_for_many, reset_model_cache

    people = db.session.execute(db.select(Person).where(Person.position == Position.ASSISTANT)).scalars().all()
    reset_model_cache()
    with QueryCounter(db.engine) as few:
        progress_for_many(people[:3])
    reset_model_cache()
    with QueryCounter(db.engine) as many:
        results = progress_for_many(people)
    assert len(results) == len(people) and many.count == few.count


def test_model_api_lists_stages_transitions_and_requirements(client, api_token):
    body = client.get("/api/v1/model", headers=api_token("trainee")).get_json()
    assert [s["code"] for s in body["stages"]] == ["S1", "S2", "S3"]
    s1 = body["stages"][0]
    assert s1["name"] == "初阶" and s1["min_months"] == 12
    assert s1["transitions"][0]["code"] == "T1" and s1["transitions"][0]["name"] == "学理思维转法理思维"
    assert {"kind", "params", "label"} <= set(s1["transitions"][0]["requirements"][0])
    assert s1["transitions"][0]["requirements"][0]["kind"] == "activity_count"


@pytest.mark.parametrize("username", ["trainee2", "hr_yuhu"])
def test_progress_of_someone_out_of_sight_is_not_found(as_role, demo, username):
    assert as_role(username).get(f"/trainees/{demo['trainee'].person.id}/progress").status_code == 404


def test_the_current_stage_line_names_a_minimum_only_when_the_stage_has_one(app, as_role, demo, db):
    """The top stage has no minimum time (0): "at least 0 months" said nothing."""
    from trainee.training.models import Stage

    person_id = demo["trainee"].person_id
    stage = person_progress(demo["trainee"].person).current.stage
    stage.min_months = 12
    db.session.commit()
    client = as_role("trainee")
    assert "（至少 12 个月）" in client.get("/home").get_data(as_text=True)
    assert "（至少 12 个月）" in client.get(f"/trainees/{person_id}/progress").get_data(as_text=True)
    db.session.get(Stage, stage.id).min_months = 0
    db.session.commit()
    for page in ("/home", f"/trainees/{person_id}/progress"):
        html = client.get(page).get_data(as_text=True)
        assert "当前阶段：" in html and "至少 0 个月" not in html and "（至少" not in html
