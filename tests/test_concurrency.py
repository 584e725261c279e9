"""Several writers at once: no "database is locked" on SQLite, no lost update anywhere."""
import http.client
import json
import threading


def _token(base, username):
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("POST", "/api/v1/tokens", json.dumps({"username": username, "password": "demo1234"}),
                 {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["token"]


def test_parallel_writers_never_fail_with_database_locked(live_server, demo):
    """Eight threads create API tokens (a write with audit entry) at once through the threaded server."""
    host, port = live_server.removeprefix("http://").split(":")
    statuses, lock = [], threading.Lock()

    def writer(username):
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        for _ in range(6):
            conn.request("POST", "/api/v1/tokens", json.dumps({"username": username, "password": "demo1234"}),
                         {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            with lock:
                statuses.append(response.status)

    threads = [threading.Thread(target=writer, args=(name,)) for name in
               ("hr", "hr_yuhu", "head", "mentor", "trainee", "trainee2", "admin", "hr")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == len(statuses) == 48


def test_concurrent_awards_for_one_person_never_exceed_the_cap_and_keep_the_aggregate(app, db):
    """Eight threads, each in its own session, credit 5 capped sources (协助办案, 30 a quarter) for one trainee at
    once. On PostgreSQL the person's row lock serialises the cap check; on SQLite BEGIN IMMEDIATE does."""
    import pytest

    from tests.points_helpers import make_trainee
    from trainee.core.db import write_transaction
    from trainee.points import ledger
    from trainee.points.models import PointsEntry, SourceType

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: on SQLite writers are serialised by BEGIN IMMEDIATE")
    from datetime import date

    person = make_trainee()
    db.session.commit()
    person_id, errors, lock = person.id, [], threading.Lock()

    def worker(n):
        with app.app_context():
            try:
                for i in range(5):
                    with write_transaction():
                        ledger.award(person_id, SourceType.ACTIVITY, 10_000 + n * 10 + i,
                                     rule_key="ASSIST_CASE", occurred_on=date(2025, 2, 1))
            except Exception as error:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    entries = db.session.execute(db.select(PointsEntry).where(PointsEntry.person_id == person_id)).scalars().all()
    assert len(entries) == 40 and sum(e.points for e in entries) == 30
    assert sum(1 for e in entries if e.capped) == 10
    assert ledger.ledger_vs_aggregate([person_id]) == []


def test_rate_limit_counters_in_memory_are_safe_across_threads(app, monkeypatch):
    """Without Redis the limiter counts in memory; a threaded server's requests hit it at once while its
    expiry timer thread removes keys (limits 5.8's own memory storage fails here most runs: KeyError in the
    timer thread, or a timer started twice)."""
    import sys
    import time

    from trainee.core.ratelimit import ThreadSafeMemoryStorage
    from trainee.extensions import limiter

    assert isinstance(limiter.storage, ThreadSafeMemoryStorage)
    storage, errors = ThreadSafeMemoryStorage("memory-threadsafe://"), []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))  # timer threads
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show up within the second
    stop = time.perf_counter() + 1.0

    def hit(n):
        try:
            i = 0
            while time.perf_counter() < stop:
                storage.incr(f"k{(n + i) % 7}", 0.001)  # expiring at once: the timer runs all the time
                i += 1
        except Exception as error:  # noqa: BLE001 — the failure being tested for
            errors.append(error)

    try:
        threads = [threading.Thread(target=hit, args=(n,)) for n in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(0.05)  # the last timer
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
