"""City-scale data for benchmarks: `flask --app app seed-demo --trainees N --years Y`.

Rows go in with Core bulk inserts (executemany), thousands per statement, not through the ORM
unit of work. Features add their own generators with `@bulk_step(order)`; each receives the
BulkContext with the ids created before it.
"""
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from werkzeug.security import generate_password_hash

from trainee.auth.models import Role, User, UserRole
from trainee.core.time import local_today
from trainee.demo import DISTRICT_DEPARTMENTS, GIVEN, SURNAMES
from trainee.extensions import db
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.org.models import Department, DepartmentKind, Education, Person, Position, Unit, UnitLevel

STEPS: list[tuple[int, object]] = []
BATCH = 5000


@dataclass
class BulkContext:
    trainees: int
    years: int
    today: date
    rng: random.Random
    unit_ids: list = field(default_factory=list)
    department_ids: dict = field(default_factory=dict)  # unit id -> [department ids]
    trainee_ids: list = field(default_factory=list)
    trainee_user_ids: dict = field(default_factory=dict)  # person id -> user id
    mentor_ids: list = field(default_factory=list)
    mentor_of: dict = field(default_factory=dict)  # trainee id -> mentor id
    hire_dates: dict = field(default_factory=dict)  # trainee id -> date
    stage_of: dict = field(default_factory=dict)  # trainee id -> (current stage code, since)


def bulk_step(order: int):
    def register(func):
        if all(f is not func for _o, f in STEPS):
            STEPS.append((order, func))
            STEPS.sort(key=lambda pair: pair[0])
        return func
    return register


def insert_many(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(table.insert(), rows[start:start + BATCH])


def generate(*, trainees: int, years: int, echo=print) -> dict:
    from trainee.reference import load_reference

    load_reference()
    if db.session.execute(db.select(Unit.id).limit(1)).first():
        raise RuntimeError("数据库非空：城市规模数据须生成在单独的空数据库中（设置 DATABASE_URL）。")
    ctx = BulkContext(trainees=trainees, years=years, today=local_today(), rng=random.Random(7))
    stats = {}
    for _order, step in STEPS:
        started = time.perf_counter()
        count = step(ctx)
        db.session.commit()
        stats[step.__name__] = count
        echo(f"  {step.__name__}: {count} 行，{time.perf_counter() - started:.1f} 秒")
    refresh_statistics()
    return stats


def refresh_statistics() -> None:
    """Fresh planner statistics after a bulk load (the planners last saw empty tables). On PostgreSQL also
    VACUUM, which sets the visibility map so index-only scans need not visit the table."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


@bulk_step(10)
def units_and_departments(ctx: BulkContext) -> int:
    # One city, and one district per 150 trainees (a province-sized instance has many).
    district_count = max(5, ctx.trainees // 150)
    city = Unit(code="C0", name="城市规模测试市人民检察院", short_name="测试市院", level=UnitLevel.CITY, path="/")
    db.session.add(city)
    db.session.flush()
    city.path = f"/{city.id}/"
    rows = [{"code": f"D{i:03d}", "name": f"测试第{i}区人民检察院", "short_name": f"测试{i}区院",
             "level": UnitLevel.DISTRICT.name, "parent_id": city.id, "path": "/"} for i in range(1, district_count + 1)]
    insert_many(Unit.__table__, rows)
    db.session.execute(db.update(Unit).where(Unit.parent_id == city.id)
                       .values(path=city.path + db.cast(Unit.id, db.String) + "/"))
    ctx.unit_ids = [city.id] + list(db.session.execute(db.select(Unit.id).where(Unit.parent_id == city.id)).scalars())
    departments = [{"unit_id": uid, "name": name, "kind": DepartmentKind.BUSINESS.name}
                   for uid in ctx.unit_ids for name in DISTRICT_DEPARTMENTS]
    insert_many(Department.__table__, departments)
    for uid, did in db.session.execute(db.select(Department.unit_id, Department.id)):
        ctx.department_ids.setdefault(uid, []).append(did)
    return len(rows) + 1 + len(departments)


@bulk_step(20)
def people_users_and_mentors(ctx: BulkContext) -> int:
    rng, password_hash = ctx.rng, generate_password_hash("demo1234")
    mentor_count = max(1, ctx.trainees // 3 + 1)
    people = []
    for i in range(ctx.trainees + mentor_count):
        is_trainee = i < ctx.trainees
        unit_id = ctx.unit_ids[i % len(ctx.unit_ids)]
        years_served = rng.uniform(0.3, 9.0) if is_trainee else rng.uniform(8, 25)
        people.append({
            "staff_no": f"B{i:06d}", "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "unit_id": unit_id,
            "department_id": rng.choice(ctx.department_ids[unit_id]),
            "position": (Position.ASSISTANT if is_trainee else Position.PROSECUTOR).name,
            "rank": "五级检察官助理" if is_trainee else "三级检察官",
            "hire_date": ctx.today - timedelta(days=int(years_served * 365)),
            "education": Education.MASTER.name, "legal_qualification": rng.random() < 0.8,
            "status": "ACTIVE", "created_at": ctx.today, "updated_at": ctx.today, "mentor_capacity": 3})
    insert_many(Person.__table__, people)
    rows = db.session.execute(db.select(Person.id, Person.position, Person.unit_id, Person.hire_date)
                              .where(Person.staff_no.like("B%")).order_by(Person.id)).all()
    ctx.trainee_ids = [r.id for r in rows if r.position is Position.ASSISTANT]
    ctx.mentor_ids = [r.id for r in rows if r.position is Position.PROSECUTOR]
    ctx.hire_dates = {r.id: r.hire_date for r in rows}
    unit_of = {r.id: r.unit_id for r in rows}
    users = [{"username": f"u{pid}", "password_hash": password_hash, "person_id": pid, "unit_id": unit_of[pid],
              "active": True, "must_change_password": False, "failed_logins": 0, "session_version": 1,
              "created_at": ctx.today, "updated_at": ctx.today} for pid in ctx.trainee_ids + ctx.mentor_ids]
    insert_many(User.__table__, users)
    user_ids = dict(db.session.execute(db.select(User.person_id, User.id).where(User.username.like("u%"))).all())
    ctx.trainee_user_ids = {pid: user_ids[pid] for pid in ctx.trainee_ids}
    roles = [{"user_id": user_ids[pid], "role": Role.TRAINEE.name} for pid in ctx.trainee_ids]
    roles += [{"user_id": user_ids[pid], "role": Role.MENTOR.name} for pid in ctx.mentor_ids]
    insert_many(UserRole.__table__, roles)
    assignments = []
    for index, trainee_id in enumerate(ctx.trainee_ids):
        mentor_id = ctx.mentor_ids[index // 3]
        ctx.mentor_of[trainee_id] = mentor_id
        assignments.append({"trainee_id": trainee_id, "mentor_id": mentor_id, "kind": AssignmentKind.PRIMARY.name,
                            "start_date": ctx.hire_dates[trainee_id] + timedelta(days=30), "reason": "批量生成",
                            "created_at": ctx.today, "updated_at": ctx.today})
    insert_many(MentorAssignment.__table__, assignments)
    hr_unit = ctx.unit_ids[0]
    hr = {"username": "hr_city", "password_hash": password_hash, "unit_id": hr_unit, "active": True,
          "must_change_password": False, "failed_logins": 0, "session_version": 1,
          "created_at": ctx.today, "updated_at": ctx.today}
    insert_many(User.__table__, [hr])
    hr_id = db.session.execute(db.select(User.id).where(User.username == "hr_city")).scalar_one()
    insert_many(UserRole.__table__, [{"user_id": hr_id, "role": Role.HR.name}])
    return len(people) + len(users) + len(assignments)
