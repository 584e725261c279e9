"""Command-line tools: `flask --app app <command>`."""
import os

import click
from flask import current_app

from trainee.extensions import db


@click.command("seed-demo")
@click.option("--trainees", type=int, default=None, help="生成城市规模数据：检察官助理人数")
@click.option("--years", type=int, default=5, show_default=True, help="生成城市规模数据：年数")
def seed_demo_command(trainees, years):
    """Load the demo data (idempotent), or a city-scale data set with --trainees."""
    if os.environ.get("APP_ENV") == "production" or current_app.config.get("APP_ENV") == "production":
        raise click.ClickException("拒绝执行：APP_ENV=production 时不能加载演示数据。")
    if trainees:
        from trainee.bulk import generate

        stats = generate(trainees=trainees, years=years, echo=click.echo)
        click.echo(f"生成完成：{stats}")
        return
    from trainee.demo import seed_demo

    if seed_demo():
        click.echo("演示数据已加载。账号 admin / hr / hr_yuhu / head / mentor / trainee / trainee2，密码 demo1234。")
    else:
        click.echo("演示数据已存在，未做任何更改。")


@click.command("init-reference")
def init_reference_command():
    """Load or complete the reference data (training model, types, rules); safe to run again."""
    from trainee.reference import load_reference

    load_reference()
    click.echo("参考数据已就绪。")


@click.command("create-user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["trainee", "mentor", "dept_head", "hr", "admin"]))
@click.option("--unit", "unit_code", required=True, help="单位代码")
@click.option("--staff-no", default=None, help="关联的人员工号")
@click.password_option(prompt="密码")
def create_user_command(username, roles, unit_code, staff_no, password):
    """Create an account; the user must change the password at first sign-in."""
    from trainee.auth.models import Role
    from trainee.auth.operations import create_user
    from trainee.core.errors import DomainError
    from trainee.org.models import Person, Unit

    unit = db.session.execute(db.select(Unit).where(Unit.code == unit_code)).scalar_one_or_none()
    if unit is None:
        raise click.ClickException(f"单位代码 {unit_code} 不存在。")
    person = None
    if staff_no:
        person = db.session.execute(db.select(Person).where(Person.staff_no == staff_no)).scalar_one_or_none()
        if person is None:
            raise click.ClickException(f"工号 {staff_no} 不存在。")
    try:
        create_user(None, username=username, password=password, unit=unit, person=person,
                    roles=[Role(r) for r in roles])
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已创建用户 {username}。")


@click.command("set-password")
@click.argument("username")
@click.option("--must-change/--no-must-change", default=True, show_default=True)
@click.password_option(prompt="新密码")
def set_password_command(username, must_change, password):
    """Set a user's password (and end their sessions)."""
    from trainee.auth.models import User
    from trainee.auth.operations import set_password
    from trainee.core.errors import DomainError

    user = db.session.execute(db.select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在。")
    try:
        set_password(None, user, password, must_change=must_change)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已设置 {username} 的密码。")


def register(app):
    from trainee.backup import backup_command, restore_command

    for command in (seed_demo_command, init_reference_command, create_user_command, set_password_command,
                    backup_command, restore_command):
        app.cli.add_command(command)
