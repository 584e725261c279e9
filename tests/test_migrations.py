"""The schema comes only from Alembic: upgrade from empty works and the models show no drift."""
import os

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from trainee import create_app
from trainee.config import TestConfig


def test_upgrade_from_empty_downgrade_and_upgrade_again_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(create_engine(url)).get_table_names()) <= {"alembic_version"}
        upgrade()
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        from trainee.extensions import db

        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == []


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set: PostgreSQL drift check skipped")
def test_no_drift_on_postgresql(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from trainee.extensions import db

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []
