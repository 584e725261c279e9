"""`flask --app app points verify | recalc --from DATE [--unit CODE] | rebuild-totals`."""
import click
from flask.cli import AppGroup

from trainee.extensions import db

points_group = AppGroup("points", help="积分台账：核对、重算。")


@points_group.command("verify")
def verify_command():
    """Check the aggregate table against the ledger; exit 1 on any difference."""
    from trainee.points.ledger import ledger_vs_aggregate
    from trainee.points.models import PointsEntry

    problems = ledger_vs_aggregate()
    count = db.session.execute(db.select(db.func.count(PointsEntry.id))).scalar()
    if problems:
        for pid, year, quarter, dim, ledger_sum, stored in problems[:50]:
            click.echo(f"不一致：人员 {pid} {year}Q{quarter} {dim} 台账 {ledger_sum}，汇总表 {stored}")
        raise click.ClickException(f"发现 {len(problems)} 处不一致（可运行 points rebuild-totals 修复）。")
    click.echo(f"核对通过：{count} 条台账记录与汇总表一致。")


@points_group.command("recalc")
@click.option("--from", "from_date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="起始日期 YYYY-MM-DD")
@click.option("--unit", "unit_code", default=None, help="单位代码（含下级单位）")
def recalc_command(from_date, unit_code):
    """Re-derive entries from DATE under the current rules (logged, idempotent)."""
    from trainee.points.recalc import recalculate

    try:
        run = recalculate(from_date.date(), unit_code, actor_name="cli", echo=click.echo)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"重算完成（记录 #{run.id}）：{run.people} 人，变更 {run.changed} 条。")


@points_group.command("rebuild-totals")
def rebuild_command():
    """Rebuild the aggregate table from the ledger."""
    from trainee import audit
    from trainee.points.ledger import rebuild_aggregate

    rows = rebuild_aggregate()
    audit.record("points.totals_rebuilt", None, after={"rows": rows}, summary=f"按台账重建积分汇总表（{rows} 行）")
    db.session.commit()
    click.echo(f"已重建汇总表：{rows} 行。")
