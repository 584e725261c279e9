"""Sign-in, passwords and API tokens: every change audited and committed in one transaction."""
from datetime import timedelta

from flask import current_app
from werkzeug.security import check_password_hash

from trainee import audit, policy
from trainee.auth.models import ApiToken, Role, User, UserRole
from trainee.core.errors import DomainError, ValidationFailed
from trainee.core.ops import transaction
from trainee.core.time import utcnow
from trainee.extensions import db

MIN_PASSWORD_LENGTH = 8


class LoginRefused(DomainError):
    status = 401
    code = "invalid_credentials"


def authenticate(username: str, password: str) -> User:
    """Check credentials with a lock-out after repeated failures. Raises LoginRefused."""
    user = db.session.execute(db.select(User).where(User.username == username.strip())).scalar_one_or_none()
    now = utcnow()
    if user is not None and user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise LoginRefused(f"登录失败次数过多，账户已临时锁定，请 {minutes} 分钟后再试。")
    stored_hash, active = (user.password_hash, user.active) if user is not None else (None, False)
    # The hash check is slow on purpose: end the transaction first so no database lock is held meanwhile.
    db.session.commit()
    if user is None or not active or not check_password_hash(stored_hash, password):
        if user is not None:
            with transaction():
                user.failed_logins += 1
                summary = "登录失败"
                if user.failed_logins >= current_app.config["LOCKOUT_THRESHOLD"]:
                    user.locked_until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
                    user.failed_logins = 0
                    summary = "连续登录失败，账户临时锁定"
                audit.record("auth.login_failed", user, summary=summary, actor=user)
        raise LoginRefused("用户名或密码不正确。")
    with transaction():
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        audit.record("auth.login", user, summary="登录", actor=user)
    return user


def validate_new_password(user: User, password: str) -> None:
    errors = []
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append(f"密码至少 {MIN_PASSWORD_LENGTH} 位。")
    if password.isdigit() or password.isalpha():
        errors.append("密码须同时包含字母和数字。")
    if password.lower() == user.username.lower():
        errors.append("密码不能与用户名相同。")
    if errors:
        raise ValidationFailed(" ".join(errors), {"new_password": errors})


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password; every other session and token of the user ends."""
    if not user.check_password(current):
        raise ValidationFailed("当前密码不正确。", {"current_password": ["当前密码不正确。"]})
    if current == new:
        raise ValidationFailed("新密码不能与当前密码相同。", {"new_password": ["新密码不能与当前密码相同。"]})
    validate_new_password(user, new)
    with transaction():
        _set_password(user, new, must_change=False)
        audit.record("auth.password_changed", user, summary="修改密码", actor=user)


def set_password(actor, user: User, new: str, *, must_change: bool = True) -> None:
    """An administrator (or the CLI, actor None) sets a user's password."""
    validate_new_password(user, new)
    with transaction():
        _set_password(user, new, must_change=must_change)
        audit.record("auth.password_set", user, summary="重置密码", actor=actor)


def _set_password(user: User, new: str, *, must_change: bool) -> None:
    user.set_password(new)
    user.must_change_password = must_change
    user.session_version += 1
    user.failed_logins = 0
    user.locked_until = None


def create_user(actor, *, username: str, password: str, unit, roles, person=None,
                must_change: bool = True) -> User:
    username = (username or "").strip()
    if not username or len(username) > 50 or not username.replace("_", "").replace(".", "").isalnum():
        raise ValidationFailed("用户名只能包含字母、数字、下划线和点，且不超过 50 个字符。",
                               {"username": ["用户名格式不正确。"]})
    if db.session.execute(db.select(User.id).where(User.username == username)).first():
        raise ValidationFailed("用户名已被使用。", {"username": ["用户名已被使用。"]})
    if person is not None and person.user is not None:
        raise ValidationFailed("此人员已有账户。", {"person_id": ["此人员已有账户。"]})
    if actor is not None and (not policy.can(actor, "unit.manage", unit) or (
            person is not None and not policy.in_unit_scope(actor, person.unit))):
        raise ValidationFailed("所选单位或人员不在您的管理范围内。", {"unit_id": ["不在您的管理范围内。"]})
    user = User(username=username, unit=unit, person=person, must_change_password=must_change)
    validate_new_password(user, password)
    user.set_password(password)
    user.role_rows = [UserRole(role=Role[r] if isinstance(r, str) else r) for r in roles]
    with transaction():
        db.session.add(user)
        audit.record("user.created", user, after={"username": username, "roles": sorted(r.name for r in user.roles),
                                                  "unit_id": unit.id}, actor=actor)
    return user


def update_user(actor, user: User, *, roles, active: bool, unit) -> None:
    before = {"roles": sorted(r.name for r in user.roles), "active": user.active, "unit_id": user.unit_id}
    if actor is not None:
        policy.require(actor, "user.manage", user)
        if not policy.can(actor, "unit.manage", unit):
            raise ValidationFailed("所选单位不在您的管理范围内。", {"unit_id": ["所选单位不在您的管理范围内。"]})
    if user.id == getattr(actor, "id", None) and (Role.ADMIN not in roles or not active):
        raise DomainError("不能移除自己的管理员角色或停用自己的账户。")
    with transaction():
        user.role_rows = [UserRole(role=r) for r in roles]
        if user.active and not active:
            user.session_version += 1  # a disabled account loses its sessions at once
        user.active = active
        user.unit = unit
        after = {"roles": sorted(r.name for r in roles), "active": active, "unit_id": unit.id}
        audit.record("user.updated", user, before=before, after=after)


def issue_token(user: User, name: str = "API") -> str:
    """Create an API token; only its SHA-256 is stored, the raw value is shown once."""
    raw = ApiToken.generate()
    ttl = timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"])
    with transaction():
        token = ApiToken(user=user, name=(name or "API")[:100], token_hash=ApiToken.hash(raw), prefix=raw[3:9],
                         expires_at=utcnow() + ttl, session_version=user.session_version)
        db.session.add(token)
        audit.record("auth.token_created", token, summary=f"创建 API 令牌 {token.name}", actor=user,
                     unit_id=user.unit_id)
    return raw


def revoke_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.id:
        raise DomainError("只能撤销自己的令牌。")
    if token.revoked_at:
        return
    with transaction():
        token.revoked_at = utcnow()
        audit.record("auth.token_revoked", token, summary=f"撤销 API 令牌 {token.name}", actor=user,
                     unit_id=user.unit_id)
