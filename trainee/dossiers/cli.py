"""`flask --app app dossier STAFF_NO -o file.pdf`, `dossier --unit CODE -o file.zip`, `dossier-worker`."""
import zipfile

import click
from flask import current_app

from trainee.extensions import db


@click.command("dossier")
@click.argument("staff_no", required=False)
@click.option("--unit", "unit_code", help="单位代码：打印该单位全部在培检察官助理，输出 ZIP")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="输出文件（.pdf 或 .zip）")
@click.option("--pdfa", is_flag=True, help="归档版 PDF/A-3b")
def dossier_command(staff_no, unit_code, output, pdfa):
    """Print a dossier (registered and audited as printed by "system")."""
    from trainee.dossiers import operations as ops
    from trainee.dossiers.models import DossierVariant
    from trainee.org.models import Person, Unit

    variant = DossierVariant.PDFA if pdfa else DossierVariant.STANDARD
    if bool(staff_no) == bool(unit_code):
        raise click.UsageError("请给出工号，或 --unit 单位代码（二者选一）。")
    if staff_no:
        person = db.session.execute(db.select(Person).where(Person.staff_no == staff_no)).scalar_one_or_none()
        if person is None:
            raise click.ClickException(f"工号 {staff_no} 不存在。")
        printed = ops.produce(None, person, variant, system=True)
        with open(output, "wb") as handle:
            handle.write(printed.data)
        click.echo(f"{output}: {printed.record.page_count} 页，核验码 {printed.record.display_code}")
        return
    unit = db.session.execute(db.select(Unit).where(Unit.code == unit_code)).scalar_one_or_none()
    if unit is None:
        raise click.ClickException(f"单位代码 {unit_code} 不存在。")
    _label, _unit, people = ops.batch_people("unit", unit.id)
    if not people:
        raise click.ClickException(f"{unit.name}没有在培的检察官助理。")
    with zipfile.ZipFile(output, "w") as archive:
        with click.progressbar(people, label=unit.name) as bar:
            for person in bar:
                printed = ops.produce(None, person, variant, system=True)
                archive.writestr(printed.filename, printed.data)
    click.echo(f"{output}: {len(people)} 份")


@click.command("dossier-worker")
@click.option("--burst", is_flag=True, help="处理完队列中的任务即退出")
def dossier_worker_command(burst):
    """Serve batch dossier jobs from the RQ queue (needs REDIS_URL)."""
    from rq import SimpleWorker

    from trainee.dossiers import jobs

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("未设置 REDIS_URL：没有 Redis 时批量任务在 Web 进程内运行，无需 worker。")
    q = jobs.queue(current_app)
    click.echo(f"dossier worker: queue {q.name} on {current_app.config['REDIS_URL']}")
    # SimpleWorker runs jobs in this process, inside this command's app context (no fork, no shared DB sockets).
    SimpleWorker([q], connection=q.connection).work(burst=burst)


@click.command("dossier-purge")
def dossier_purge_command():
    """Delete batch ZIPs past their 7-day retention (job rows stay as history); safe to run from cron daily."""
    from trainee.dossiers import jobs

    click.echo(f"已清理过期的批量打印文件 {jobs.purge_expired(current_app)} 个。")


def register(app):
    app.cli.add_command(dossier_purge_command)
    app.cli.add_command(dossier_command)
    app.cli.add_command(dossier_worker_command)
