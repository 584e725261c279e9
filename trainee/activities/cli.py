"""`flask --app app activities remind-overdue`: weekly reminders of reviews waiting too long (run from cron)."""
import click
from flask.cli import AppGroup

activities_group = AppGroup("activities", help="工作纪实：审核提醒。")


@activities_group.command("remind-overdue")
@click.option("--days", type=int, default=7, show_default=True, help="等待超过多少天提醒")
def remind_overdue_command(days):
    """Notify mentors whose queue has entries waiting more than --days days (once a week per mentor)."""
    from trainee.activities.operations import remind_overdue

    click.echo(f"已提醒 {remind_overdue(days)} 位导师。")
