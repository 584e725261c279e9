"""Backups: a copy made while the app runs restores into a fresh instance with the same rows and files."""
import os
from pathlib import Path

import pytest

from trainee import create_app
from trainee.config import TestConfig
from trainee.org.models import Person

SQLITE_ONLY = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                reason="SQLite backup path; PostgreSQL backups use pg_dump (documented in README)")


@SQLITE_ONLY
def test_backup_and_restore_into_a_fresh_instance(app, demo, db, tmp_path, database_template):
    import shutil

    uploads = Path(app.config["UPLOAD_DIR"])
    (uploads / "ab").mkdir(parents=True)
    (uploads / "ab" / "evidence.pdf").write_bytes(b"%PDF-1.4 test evidence")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    folder = next((tmp_path / "backups").iterdir())
    sample = {p.staff_no: p.name for p in db.session.execute(db.select(Person).limit(5)).scalars()}

    fresh_db = tmp_path / "fresh.db"
    shutil.copy(database_template, fresh_db)  # a migrated, empty instance
    config = TestConfig(f"sqlite:///{fresh_db}")
    config.UPLOAD_DIR = str(tmp_path / "fresh-uploads")
    fresh = create_app(config)
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["restore", str(folder), "--force"])
        assert result.exit_code == 0, result.output
        assert "行数与备份一致" in result.output
        from trainee.extensions import db as fresh_db_ext

        restored = {p.staff_no: p.name for p in fresh_db_ext.session.execute(
            fresh_db_ext.select(Person).where(Person.staff_no.in_(sample))).scalars()}
        assert restored == sample
        fresh_db_ext.session.remove()
    assert (tmp_path / "fresh-uploads" / "ab" / "evidence.pdf").read_bytes() == b"%PDF-1.4 test evidence"


@SQLITE_ONLY
def test_restore_refuses_a_non_empty_database_without_force(app, demo, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["backup", str(tmp_path / "b")])
    folder = next((tmp_path / "b").iterdir())
    result = runner.invoke(args=["restore", str(folder)])
    assert result.exit_code != 0 and "--force" in result.output


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set: pg_dump path skipped")
def test_postgresql_backup_restores_with_pg_restore(app, demo, db, tmp_path):
    import shutil as sh

    if sh.which("pg_dump") is None:
        pytest.skip("pg_dump not installed")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    folder = next((tmp_path / "b").iterdir())
    count = db.session.execute(db.select(db.func.count(Person.id))).scalar()
    db.session.add(Person(staff_no="AFTER1", name="备份之后", unit_id=demo["hr"].unit_id))
    db.session.commit()
    assert db.session.execute(db.select(db.func.count(Person.id))).scalar() == count + 1
    result = runner.invoke(args=["restore", str(folder), "--force"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(db.func.count(Person.id))).scalar() == count
