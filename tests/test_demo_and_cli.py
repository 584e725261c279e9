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
