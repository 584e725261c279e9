"""Demo data: 湘潭市人民检察院 and five district units, about 40 trainees, 10 mentors and fixed accounts.

Features add their own demo records with `@demo_step(order)`; each step receives the DemoContext
built by the organisation step. Everything is deterministic (seeded random), so the demo is the same
on every machine.
"""
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from trainee.auth.models import Role, User, UserRole
from trainee.core.time import local_today
from trainee.extensions import db
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.org.models import Department, DepartmentKind, Education, Person, Position, Unit, UnitLevel

DEMO_PASSWORD = "demo1234"
STEPS: list[tuple[int, object]] = []

CITY = ("XT", "湘潭市人民检察院", "湘潭市院")
DISTRICTS = [("YH", "湘潭市雨湖区人民检察院", "雨湖区院"), ("YT", "湘潭市岳塘区人民检察院", "岳塘区院"),
             ("XTX", "湘潭县人民检察院", "湘潭县院"), ("XX", "湘乡市人民检察院", "湘乡市院"),
             ("SS", "韶山市人民检察院", "韶山市院")]
CITY_DEPARTMENTS = ["第一检察部", "第二检察部", "第三检察部", "第四检察部", "民事检察部", "行政检察部",
                    "公益诉讼检察部", "未成年人检察部", "控告申诉检察部"]
DISTRICT_DEPARTMENTS = ["第一检察部", "第二检察部", "第三检察部", "第四检察部"]
ADMIN_DEPARTMENTS = ["办公室", "政治部", "案件管理部", "检务督察部"]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ["婷", "静", "敏", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "慧", "建国",
         "晓燕", "志强", "雪", "琳", "思远", "子涵", "雨萱", "浩然", "欣怡", "博文", "梓轩", "诗琪", "一鸣", "嘉怡",
         "喆", "堃", "赟", "昇", "俊杰", "文静", "海燕", "宇航", "佳琪", "晨曦"]
SCHOOLS = ["湘潭大学", "中南大学", "湖南大学", "湖南师范大学", "西南政法大学", "中南财经政法大学", "中国政法大学"]


@dataclass
class DemoContext:
    today: date
    rng: random.Random
    city: Unit = None
    units: dict = field(default_factory=dict)          # code -> Unit
    departments: dict = field(default_factory=dict)    # (unit code, name) -> Department
    users: dict = field(default_factory=dict)          # username -> User
    trainees: list = field(default_factory=list)       # Person, in creation order
    mentors: list = field(default_factory=list)        # Person
    password_hash: str | None = None


def demo_step(order: int):
    def register(func):
        if all(f is not func for _o, f in STEPS):
            STEPS.append((order, func))
            STEPS.sort(key=lambda pair: pair[0])
        return func
    return register


def already_seeded() -> bool:
    return db.session.execute(db.select(Unit.id).where(Unit.code == CITY[0])).first() is not None


def seed_demo() -> bool:
    """Load the demo; returns False (and changes nothing) when it is already there."""
    from trainee.reference import load_reference

    load_reference()
    if already_seeded():
        return False
    ctx = DemoContext(today=local_today(), rng=random.Random(20240601))
    for _order, step in STEPS:
        step(ctx)
        db.session.flush()
    db.session.commit()
    return True


def _name(rng: random.Random, used: set) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            return name


def _account(ctx: DemoContext, username: str, person: Person | None, unit: Unit, *roles: Role) -> User:
    user = User(username=username, person=person, unit=unit, must_change_password=False,
                role_rows=[UserRole(role=r) for r in roles])
    if ctx.password_hash is None:  # hashing is deliberately slow: do it once for the shared demo password
        user.set_password(DEMO_PASSWORD)
        ctx.password_hash = user.password_hash
    user.password_hash = ctx.password_hash
    db.session.add(user)
    ctx.users[username] = user
    return user


@demo_step(10)
def organisation(ctx: DemoContext) -> None:
    city = Unit(code=CITY[0], name=CITY[1], short_name=CITY[2], level=UnitLevel.CITY, path="/")
    db.session.add(city)
    db.session.flush()
    city.path = f"/{city.id}/"
    ctx.city, ctx.units[city.code] = city, city
    for code, name, short in DISTRICTS:
        unit = Unit(code=code, name=name, short_name=short, level=UnitLevel.DISTRICT, parent=city, path="/")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"{city.path}{unit.id}/"
        ctx.units[code] = unit
    for code, unit in ctx.units.items():
        business = CITY_DEPARTMENTS if unit is city else DISTRICT_DEPARTMENTS
        for name in business:
            ctx.departments[(code, name)] = Department(unit=unit, name=name, kind=DepartmentKind.BUSINESS)
        for name in ADMIN_DEPARTMENTS:
            ctx.departments[(code, name)] = Department(unit=unit, name=name, kind=DepartmentKind.ADMINISTRATIVE)
    db.session.add_all(ctx.departments.values())


@demo_step(20)
def people_and_accounts(ctx: DemoContext) -> None:
    rng, used, serial = ctx.rng, set(), iter(range(1, 10_000))

    def person(unit_code, dept, position, *, years, rank, name=None):
        hire = ctx.today - timedelta(days=int(years * 365) + rng.randint(0, 60))
        p = Person(staff_no=f"{unit_code}{next(serial):04d}", name=name or _name(rng, used), unit=ctx.units[unit_code],
                   department=ctx.departments[(unit_code, dept)], position=position, rank=rank, hire_date=hire,
                   gender=rng.choice("男女"), education=rng.choice([Education.BACHELOR, Education.MASTER, Education.MASTER]),
                   school=rng.choice(SCHOOLS), major="法学", legal_qualification=rng.random() < 0.8)
        used.add(p.name)
        db.session.add(p)
        return p

    city = ctx.city
    _account(ctx, "admin", None, city, Role.ADMIN)
    hr = person("XT", "政治部", Position.ADMIN_STAFF, years=12, rank="四级主任科员", name="周立新")
    _account(ctx, "hr", hr, city, Role.HR)
    hr_yuhu = person("YH", "政治部", Position.ADMIN_STAFF, years=8, rank="一级科员", name="谭晓梅")
    _account(ctx, "hr_yuhu", hr_yuhu, ctx.units["YH"], Role.HR)
    head = person("XT", "第一检察部", Position.PROSECUTOR, years=20, rank="四级高级检察官", name="罗建平")
    _account(ctx, "head", head, city, Role.DEPT_HEAD, Role.MENTOR)

    # Ten mentors: four at the city, one per district plus one more at 雨湖.
    mentor_places = [("XT", "第一检察部"), ("XT", "第二检察部"), ("XT", "第四检察部"), ("XT", "民事检察部"),
                     ("YH", "第一检察部"), ("YH", "第二检察部"), ("YT", "第一检察部"), ("XTX", "第一检察部"),
                     ("XX", "第一检察部"), ("SS", "第一检察部")]
    for index, (code, dept) in enumerate(mentor_places):
        mentor = person(code, dept, Position.PROSECUTOR, years=rng.randint(10, 22), rank="三级检察官",
                        name="陈志刚" if index == 0 else None)
        mentor.mentor_capacity = 4
        ctx.mentors.append(mentor)
        _account(ctx, "mentor" if index == 0 else f"mentor{index + 1:02d}", mentor, mentor.unit, Role.MENTOR)

    # Forty trainees over the six units; `trainee` (stage 2) and `trainee2` (stage 1) are mentored by `mentor`.
    fixed = {0: ("trainee", "李思远", 4.5, "三级检察官助理"), 1: ("trainee2", "王雨萱", 0.8, "五级检察官助理")}
    units_cycle = ["XT"] * 12 + ["YH"] * 8 + ["YT"] * 6 + ["XTX"] * 5 + ["XX"] * 5 + ["SS"] * 3
    for index, code in enumerate(units_cycle):
        username, name, years, rank = fixed.get(index, (None, None, None, None))
        if years is None:
            years = rng.choice([0.5, 1, 1.5, 2.5, 3.5, 4, 5, 6, 7, 8])
            rank = "五级检察官助理" if years < 2 else "四级检察官助理" if years < 5 else "三级检察官助理"
        dept = "第一检察部" if index < 2 else rng.choice(DISTRICT_DEPARTMENTS)
        trainee = person(code, dept, Position.ASSISTANT, years=years, rank=rank, name=name)
        ctx.trainees.append(trainee)
        _account(ctx, username or f"zl{len(ctx.trainees):03d}", trainee, trainee.unit, Role.TRAINEE)
    db.session.flush()


@demo_step(30)
def mentor_assignments(ctx: DemoContext) -> None:
    """`mentor` takes `trainee`, `trainee2` and one more; the rest go to a mentor of their own unit."""
    load = {m.id: 0 for m in ctx.mentors}
    by_unit = {}
    for mentor in ctx.mentors:
        by_unit.setdefault(mentor.unit_id, []).append(mentor)
    for index, trainee in enumerate(ctx.trainees):
        if index < 3:
            mentor = ctx.mentors[0]
        else:
            candidates = sorted(by_unit.get(trainee.unit_id, ctx.mentors[1:]), key=lambda m: load[m.id])
            mentor = next((m for m in candidates if load[m.id] < 4 and m is not ctx.mentors[0]), None) or \
                min(ctx.mentors[1:], key=lambda m: load[m.id])
        load[mentor.id] += 1
        start = max(trainee.hire_date + timedelta(days=30), ctx.today - timedelta(days=900))
        db.session.add(MentorAssignment(trainee=trainee, mentor=mentor, kind=AssignmentKind.PRIMARY,
                                        start_date=start, reason="入职分配带教导师"))
