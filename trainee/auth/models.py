"""Accounts, roles and API tokens. A user is the sign-in of a person; one person may hold several roles."""
import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from trainee.core.db import LabelledEnum, TimestampMixin, enum_column
from trainee.core.time import utcnow
from trainee.extensions import db


class Role(LabelledEnum):
    TRAINEE = ("trainee", _l("检察官助理"))
    MENTOR = ("mentor", _l("带教导师"))
    DEPT_HEAD = ("dept_head", _l("部门负责人"))
    HR = ("hr", _l("政治部"))
    ADMIN = ("admin", _l("系统管理员"))


# The role whose home page a user sees first when holding several.
ROLE_PRIORITY = [Role.ADMIN, Role.HR, Role.DEPT_HEAD, Role.MENTOR, Role.TRAINEE]


class RoleHolder:
    """Role checks over `self.roles`, shared by the account (User) and the signed-in user of a request
    (auth.signed_in.SignedInUser)."""
    __slots__ = ()  # adds no instance dictionary to SignedInUser's slots

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def primary_role(self) -> Role | None:
        return next((r for r in ROLE_PRIORITY if r in self.roles), None)


class User(TimestampMixin, RoleHolder, UserMixin, db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(50), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), unique=True)
    # Admin accounts may exist without a personnel record; their scope is then their unit.
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    active = db.Column(db.Boolean, nullable=False, default=True)
    must_change_password = db.Column(db.Boolean, nullable=False, default=True)
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(db.DateTime)
    last_login_at = db.Column(db.DateTime)
    # Bumped on password change: every session and token issued before is void.
    session_version = db.Column(db.Integer, nullable=False, default=1)
    locale = db.Column(db.String(10))

    person = db.relationship("Person", backref=db.backref("user", uselist=False))
    unit = db.relationship("Unit")
    role_rows = db.relationship("UserRole", cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    @property
    def record(self) -> "User":
        """The account itself (as `SignedInUser.record`: code given either may ask for the row)."""
        return self

    @property
    def display_name(self) -> str:
        return self.person.name if self.person else self.username

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class EndedSession(db.Model):
    """Sign-in sessions ended by signing out. The session cookie is signed but kept by the browser; listing its id
    here makes a copy of it useless after sign-out. Rows older than the maximum session age are pruned."""
    __tablename__ = "ended_sessions"
    sid = db.Column(db.String(64), primary_key=True)
    ended_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role = enum_column(Role, primary_key=True)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False, default="API")
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    prefix = db.Column(db.String(8), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    revoked_at = db.Column(db.DateTime)
    last_used_at = db.Column(db.DateTime)
    session_version = db.Column(db.Integer, nullable=False)

    user = db.relationship("User", backref=db.backref("api_tokens", order_by="ApiToken.id.desc()"))

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "tk_" + secrets.token_urlsafe(32)

    @property
    def is_valid(self) -> bool:
        return (self.revoked_at is None and self.expires_at > utcnow()
                and self.session_version == self.user.session_version and self.user.active)
