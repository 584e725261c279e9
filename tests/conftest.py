"""Test fixtures: a migrated database per test (SQLite copy, or PostgreSQL truncated), the demo world,
and one signed-in client per role.

Set TEST_DATABASE_URL=postgresql://... to run the same suite on PostgreSQL.
"""
import contextvars
import os
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("INSTANCE_DIR", tempfile.mkdtemp(prefix="trainee-test-instance-"))

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from trainee import create_app  # noqa: E402
from trainee.config import TestConfig  # noqa: E402
from trainee.core.time import utcnow  # noqa: E402
from trainee.extensions import db as _db  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL")
ROLES = ["admin", "hr", "hr_yuhu", "head", "mentor", "trainee", "trainee2"]


def _pg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def _worker_pg_url(worker: str) -> str:
    """One PostgreSQL database per xdist worker: <db>_<worker>, created on demand."""
    base = _pg_url(PG_URL)
    if worker in ("", "master"):
        return base
    head, _, name = base.rpartition("/")
    engine = create_engine(f"{head}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"{name}_{worker}"}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}_{worker}"'))
    engine.dispose()
    return f"{head}/{name}_{worker}"


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as in production.

    The fixture keeps an app context open for direct database access; without this, requests would
    share its `g` (the signed-in user, the locale) and its session. Afterwards the test's session is
    expired so it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        # End the test's own transaction around the request: its writes become visible to the request,
        # and afterwards it reads what the request committed (a new snapshot), as a second user would.
        _db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        _db.session.commit()
        _db.session.expire_all()
        return response


def _upgrade(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
        from trainee.reference import load_reference

        load_reference()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory, worker_id):
    """Migrate once per test session; each test then starts from this state."""
    if PG_URL:
        url = _worker_pg_url(worker_id)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        _upgrade(url)
        return url
    path = tmp_path_factory.mktemp("template") / "template.db"
    _upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def app(database_template, tmp_path):
    if PG_URL:
        url = database_template
    else:
        target = tmp_path / "test.db"
        shutil.copy(database_template, target)
        url = f"sqlite:///{target}"
    config = TestConfig(url)
    config.UPLOAD_DIR = str(tmp_path / "uploads")
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        if PG_URL:
            _truncate_all()
        yield application
        _db.session.remove()
        _db.engine.dispose()


def _truncate_all() -> None:
    """Give every PostgreSQL test the freshly migrated state: empty tables plus reference data."""
    from trainee.reference import load_reference

    tables = [t.name for t in _db.metadata.sorted_tables]
    if tables:
        _db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        _db.session.commit()
    load_reference()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app, request):
    """The demo world of `flask seed-demo`: users by username.

    On SQLite the demo is seeded once per session and copied in (seconds saved per test);
    on PostgreSQL it is seeded into the freshly truncated database.
    """
    from trainee.auth.models import User

    if PG_URL:
        _pg_restore_demo(app)
    else:
        template = request.getfixturevalue("demo_template")
        target = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        _db.session.remove()
        _db.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(template, target)
        uploads = template.parent / "uploads"  # files the demo stored (e.g. certificates)
        if uploads.exists():
            shutil.copytree(uploads, app.config["UPLOAD_DIR"], dirs_exist_ok=True)
    return {u.username: u for u in _db.session.execute(_db.select(User)).scalars()}


# PostgreSQL: the demo is seeded once per worker, snapshotted table by table with COPY, and restored into the
# truncated database of each test that asks for it (seeding through the operations takes seconds per test).
_PG_DEMO: dict = {}


def _pg_tables() -> list[str]:
    return [t.name for t in _db.metadata.sorted_tables]


def _pg_snapshot(upload_dir: str, cache_dir: Path) -> None:
    raw = _db.session.connection().connection.driver_connection
    tables, sequences = {}, []
    with raw.cursor() as cur:
        for table in _pg_tables():
            with cur.copy(f'COPY "{table}" TO STDOUT') as copy:
                tables[table] = b"".join(bytes(chunk) for chunk in copy)
        cur.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = 'public' AND last_value IS NOT NULL")
        sequences = cur.fetchall()
    if Path(upload_dir).exists():
        shutil.copytree(upload_dir, cache_dir, dirs_exist_ok=True)
    _PG_DEMO.update(tables=tables, sequences=sequences, uploads=cache_dir)


def _pg_restore_demo(app) -> None:
    from trainee.demo import seed_demo

    if not _PG_DEMO:
        seed_demo()
        _db.session.commit()
        _pg_snapshot(app.config["UPLOAD_DIR"], Path(tempfile.mkdtemp(prefix="pg-demo-uploads-")))
        return
    _db.session.commit()
    names = ", ".join(f'"{t}"' for t in _pg_tables())
    _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    _db.session.commit()
    raw = _db.session.connection().connection.driver_connection
    with raw.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # rows arrive table by table: FKs checked by the seed
        for table, data in _PG_DEMO["tables"].items():
            if data:
                with cur.copy(f'COPY "{table}" FROM STDIN') as copy:
                    copy.write(data)
        for name, value in _PG_DEMO["sequences"]:
            cur.execute("SELECT setval(%s, %s)", (name, value))
        cur.execute("SET session_replication_role = DEFAULT")
    _db.session.commit()
    shutil.copytree(_PG_DEMO["uploads"], app.config["UPLOAD_DIR"], dirs_exist_ok=True)


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory):
    """A SQLite file with the migrated schema, reference data and the demo, built once per session."""
    from trainee.demo import seed_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(database_template, path)
    config = TestConfig(f"sqlite:///{path}")
    config.UPLOAD_DIR = str(path.parent / "uploads")
    application = create_app(config)
    with application.app_context():
        seed_demo()
        _db.session.remove()
        _db.engine.dispose()
    return path


def login(client, user) -> None:
    """Sign a test client in as `user` without a password round-trip."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["sid"] = secrets.token_hex(16)
        session["auth_at"] = utcnow().timestamp()
        session["_fresh"] = True


@pytest.fixture
def as_role(app, demo):
    """as_role("mentor") -> a test client signed in as that demo account."""
    def make(username: str):
        c = app.test_client()
        login(c, demo[username])
        return c
    return make


@pytest.fixture
def api_token(app, demo):
    """api_token("hr") -> a Bearer header for that demo account."""
    from trainee.auth.operations import issue_token

    def make(username: str) -> dict:
        return {"Authorization": f"Bearer {issue_token(demo[username])}"}
    return make


def pytest_report_header(config):
    target = PG_URL or "SQLite (set TEST_DATABASE_URL for PostgreSQL)"
    return [f"database: {target}", f"redis: {os.environ.get('REDIS_URL') or 'not set; Redis tests skip'}"]


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def live_server(app, demo, tmp_path):
    """The app with the demo data, served over HTTP in a thread, for browser tests. Yields the base URL."""
    import threading

    from werkzeug.serving import make_server

    _db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=contextvars.Context().run, args=(server.serve_forever,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page():
    """A Playwright page in Debian's Chromium; skips with the reason when either is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium (make test installs it when run as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        yield page
        browser.close()


def browser_login(page, base_url: str, username: str, password: str = "demo1234") -> None:
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def older_and_tenth_unit(db, demo):
    """(the city's first district, a new district "测试新设区院" whose id is 10 or more): a city with ten or more
    units, where unit paths compared as text would put the new unit (/1/10/) before the older one (/1/3/)."""
    from trainee.org.models import Unit, UnitLevel

    city = demo["hr"].unit
    older = db.session.execute(db.select(Unit).where(Unit.parent_id == city.id).order_by(Unit.id)).scalars().first()
    tenth = None
    while tenth is None or tenth.id < 10:
        tenth = Unit(code=f"N{0 if tenth is None else tenth.id}", name="测试新设区院", short_name="新设院",
                     level=UnitLevel.DISTRICT, parent_id=city.id, path="/")
        db.session.add(tenth)
        db.session.flush()
        tenth.path = f"{city.path}{tenth.id}/"
    assert older.id < 10 <= tenth.id and tenth.path < older.path
    return older, tenth
