"""Consistent backups while the app runs: `flask --app app backup DIR` / `flask --app app restore DIR`.

SQLite uses the online backup API (a consistent snapshot even with writers in WAL mode); PostgreSQL
uses pg_dump/pg_restore in custom format. Uploaded evidence files are copied beside the database,
and a manifest records row counts and file checksums so a restore can be verified.
"""
import hashlib
import json
import shutil
import sqlite3
import subprocess  # nosec B404 — runs pg_dump/pg_restore with fixed arguments, no shell
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from trainee.core.db import write_transaction
from trainee.core.freshness import bump_shared
from trainee.extensions import db


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts() -> dict:
    return {table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables}


def _pg_args(url) -> list[str]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return args + ["-d", url.database]


def _run_pg_tool(tool: str, args: list[str], url) -> None:
    """Run pg_dump/pg_restore by absolute path with a fixed argument list (no shell, no user input)."""
    executable = shutil.which(tool)
    if executable is None:
        raise click.ClickException(f"未找到 {tool}：请安装 postgresql-client。")
    env = {"PGPASSWORD": url.password or "", "PATH": "/usr/bin:/bin"}
    subprocess.run([executable, *args], check=True, env=env)  # noqa: S603  # nosec B603


def make_backup(target_dir: str) -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    folder = Path(target_dir) / datetime.now().strftime("backup-%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        dest = sqlite3.connect(folder / "trainee.db")
        with dest:
            source.backup(dest)
        source.close()
        dest.close()
        engine = "sqlite"
    else:
        _run_pg_tool("pg_dump", ["-Fc", "-f", str(folder / "trainee.dump"), *_pg_args(url)], url)
        engine = "postgresql"
    uploads = Path(current_app.config["UPLOAD_DIR"])
    files = {}
    if uploads.exists():
        shutil.copytree(uploads, folder / "uploads")
        files = {str(p.relative_to(folder / "uploads")): _sha256(p) for p in (folder / "uploads").rglob("*") if p.is_file()}
    manifest = {"created": datetime.now().isoformat(timespec="seconds"), "engine": engine,
                "counts": table_counts(), "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return folder


def restore_backup(folder: str, *, force: bool = False) -> dict:
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    has_data = False
    try:
        has_data = any(table_counts().values())
    except Exception:  # noqa: BLE001 — an empty database has no tables yet
        db.session.rollback()
    if has_data and not force:
        raise click.ClickException("目标数据库非空；确认覆盖请加 --force。")
    db.session.remove()
    db.engine.dispose()
    if manifest["engine"] == "sqlite":
        if url.get_backend_name() != "sqlite":
            raise click.ClickException("该备份来自 SQLite，目标数据库不是 SQLite。")
        target = Path(url.database)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        source = sqlite3.connect(folder / "trainee.db")
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        source.close()
        dest.close()
    else:
        _run_pg_tool("pg_restore", ["--clean", "--if-exists", "--no-owner", *_pg_args(url),
                                    str(folder / "trainee.dump")], url)
    uploads = Path(current_app.config["UPLOAD_DIR"])
    if (folder / "uploads").exists():
        shutil.copytree(folder / "uploads", uploads, dirs_exist_ok=True)
    return manifest


@click.command("backup")
@click.argument("target_dir")
def backup_command(target_dir):
    """Back up the database and uploaded files into a new folder under TARGET_DIR."""
    folder = make_backup(target_dir)
    click.echo(f"备份完成：{folder}")


@click.command("restore")
@click.argument("backup_dir")
@click.option("--force", is_flag=True, help="覆盖非空的目标数据库")
def restore_command(backup_dir, force):
    """Restore a backup made by `backup` (database and uploaded files) and verify the row counts."""
    manifest = restore_backup(backup_dir, force=force)
    counts = table_counts()
    wrong = {t: (n, counts.get(t)) for t, n in manifest["counts"].items() if counts.get(t) != n}
    if wrong:
        raise click.ClickException(f"恢复后行数不一致：{wrong}")
    with write_transaction():  # app processes still running must not serve pages kept from before the restore
        bump_shared()
    click.echo(f"恢复完成，{sum(counts.values())} 行，{len(manifest['files'])} 个文件，行数与备份一致。")
