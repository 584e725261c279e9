from trainee.auth.models import Role, User
from trainee.demo import seed_demo
from trainee.org.models import Person, Position


def test_demo_has_the_fixed_accounts_and_realistic_size(demo, db):
    assert {"admin", "hr", "hr_yuhu", "head", "mentor", "trainee", "trainee2"} <= set(demo)
    assert all(demo[u].check_password("demo1234") for u in ("admin", "trainee"))
    assert not demo["trainee"].must_change_password
    trainees = db.session.execute(db.select(db.func.count(Person.id)).where(Person.position == Position.ASSISTANT)).scalar()
    assert 35 <= trainees <= 45
    mentors = db.session.execute(db.select(db.func.count()).select_from(User).join(User.role_rows)
                                 .where(db.text("user_roles.role = 'MENTOR'"))).scalar()
    assert mentors >= 10
    assert demo["head"].has_role(Role.DEPT_HEAD)


def test_seed_demo_twice_changes_nothing(demo, db):
    count = db.session.execute(db.select(db.func.count(Person.id))).scalar()
    assert seed_demo() is False
    assert db.session.execute(db.select(db.func.count(Person.id))).scalar() == count


def test_seed_demo_refuses_production(app, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output


def test_create_user_and_set_password_commands(app, demo, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "ops1", "--role", "hr", "--unit", "YH"], input="Secret123\nSecret123\n")
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(User).where(User.username == "ops1")).scalar_one()
    assert user.must_change_password and user.check_password("Secret123")
    result = runner.invoke(args=["set-password", "ops1", "--no-must-change"], input="Other1234\nOther1234\n")
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.check_password("Other1234") and not user.must_change_password


def test_bulk_generator_inserts_people_fast(app, db):
    from trainee.bulk import generate

    stats = generate(trainees=300, years=1, echo=lambda *_: None)
    assert stats["people_users_and_mentors"] > 300
    assert db.session.execute(db.select(db.func.count(Person.id)).where(Person.position == Position.ASSISTANT)).scalar() == 300


def test_bulk_generator_signs_transitions_along_each_stage_history(app, db):
    """Every completed stage has its three transitions achieved, dated inside the stage; the current stage
    at most two; so the city-scale overview has transitions per quarter to show."""
    from trainee.bulk import generate
    from trainee.training.models import StageRecord, Transition, TransitionState, TransitionStatus

    generate(trainees=60, years=3, echo=lambda *_: None)
    stage_of = dict(db.session.execute(db.select(Transition.id, Transition.stage_id)).all())
    records = db.session.execute(db.select(StageRecord)).scalars().all()
    states = db.session.execute(db.select(TransitionState)).scalars().all()
    assert states and all(s.status is TransitionStatus.ACHIEVED and s.mentor_id for s in states)
    by_person_stage: dict = {}
    for s in states:
        by_person_stage.setdefault((s.person_id, stage_of[s.transition_id]), []).append(s)
    for record in records:
        signed = by_person_stage.get((record.person_id, record.stage_id), [])
        assert len(signed) == 3 if record.end_date else len(signed) <= 2
        assert all(record.start_date <= s.decided_on <= (record.end_date or s.decided_on) for s in signed)
