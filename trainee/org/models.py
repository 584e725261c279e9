"""Organisation: units (院), departments (部门) and people."""
from flask_babel import lazy_gettext as _l

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.extensions import db


class UnitLevel(LabelledEnum):
    PROVINCE = ("province", _l("省级院"))
    CITY = ("city", _l("市级院"))
    DISTRICT = ("district", _l("区县院"))


class DepartmentKind(LabelledEnum):
    BUSINESS = ("business", _l("业务部门"))
    ADMINISTRATIVE = ("administrative", _l("综合部门"))


class Position(LabelledEnum):
    ASSISTANT = ("assistant", _l("检察官助理"))
    PROSECUTOR = ("prosecutor", _l("员额检察官"))
    ADMIN_STAFF = ("admin_staff", _l("司法行政人员"))


class PersonStatus(LabelledEnum):
    ACTIVE = ("active", _l("在培"))
    SELECTED = ("selected", _l("已遴选"))
    TRANSFERRED = ("transferred", _l("已转任"))
    LEFT = ("left", _l("已离开"))


class Education(LabelledEnum):
    BACHELOR = ("bachelor", _l("大学本科"))
    MASTER = ("master", _l("硕士研究生"))
    DOCTOR = ("doctor", _l("博士研究生"))
    COLLEGE = ("college", _l("大学专科"))


RANKS = ["五级检察官助理", "四级检察官助理", "三级检察官助理", "二级检察官助理", "一级检察官助理",
         "四级高级检察官", "三级检察官", "二级检察官", "一级检察官", "科员", "一级科员", "四级主任科员"]


class Unit(db.Model):
    __tablename__ = "units"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(32), nullable=False, unique=True)
    name = db.Column(db.String(100), nullable=False)
    short_name = db.Column(db.String(50), nullable=False)
    level = enum_column(UnitLevel, nullable=False)
    parent_id = db.Column(db.Integer, db.ForeignKey("units.id"), index=True)
    # Materialised path "/1/4/": the scope of a unit and its children is one LIKE, no recursion.
    path = db.Column(db.String(255), nullable=False, default="/", index=True)

    parent = db.relationship("Unit", remote_side=[id], backref="children")

    def __str__(self):
        return self.name


class Department(db.Model):
    __tablename__ = "departments"
    __table_args__ = (db.UniqueConstraint("unit_id", "name", name="uq_departments_unit_name"),)
    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False)
    kind = enum_column(DepartmentKind, nullable=False, default=DepartmentKind.BUSINESS)

    unit = db.relationship("Unit", backref=db.backref("departments", order_by="Department.id"))

    def __str__(self):
        return self.name


class Person(TimestampMixin, db.Model):
    __tablename__ = "people"
    # Counts of active trainees per unit (HR overview, people list) read this index alone.
    __table_args__ = (db.Index("ix_people_unit_position_status", "unit_id", "position", "status"),
                      db.Index("ix_people_unit_staff_no", "unit_id", "staff_no"))  # the people list's default order
    id = db.Column(db.Integer, primary_key=True)
    staff_no = db.Column(db.String(32), nullable=False, unique=True)
    name = db.Column(db.String(50), nullable=False, index=True)
    gender = db.Column(db.String(4))
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), index=True)
    position = enum_column(Position, nullable=False, default=Position.ASSISTANT, index=True)
    rank = db.Column(db.String(30))
    hire_date = db.Column(db.Date)
    birth_date = db.Column(db.Date)
    education = enum_column(Education)
    school = db.Column(db.String(100))
    major = db.Column(db.String(100))
    legal_qualification = db.Column(db.Boolean, nullable=False, default=False)
    legal_qualification_no = db.Column(db.String(40))
    status = enum_column(PersonStatus, nullable=False, default=PersonStatus.ACTIVE, index=True)
    # Active primary mentees a mentor may hold; None means the default (3).
    mentor_capacity = db.Column(db.Integer)
    # Optimistic locking: a concurrent edit of the same row fails instead of silently overwriting.
    version = db.Column(db.Integer, nullable=False, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    unit = db.relationship("Unit")
    department = db.relationship("Department")

    @property
    def is_trainee(self) -> bool:
        return self.position is Position.ASSISTANT

    def __str__(self):
        return self.name
