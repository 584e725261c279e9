"""Profile one page in-process (no server): CPU time per request, SQL time and the slowest statements.

    python bench/profile_page.py --database-url sqlite:///bench/data/bench-10000-5.db --user hr_city /reports/overview
    python bench/profile_page.py ... --user trainee --cprofile 25 /home

Signs in through the real login form (CSRF included), warms up once, then runs the page --n times. Prints the
median CPU milliseconds (time.process_time: not distorted by other load on the machine), the SQL share and
the statements that took longest. A tool for finding where time goes; the benchmark of record is bench/run.py.
"""
import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", default="demo1234")
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--cprofile", type=int, default=0, help="print this many cProfile lines (cumulative)")
    parser.add_argument("--statements", type=int, default=5, help="print this many slowest SQL statements")
    parser.add_argument("--full", action="store_true", help="print those statements whole, with their parameters")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("INSTANCE_DIR", str(ROOT / "bench" / "data" / "instance"))
    os.environ["LOGIN_RATE_LIMIT"] = "100000 per minute"

    from sqlalchemy import event

    from trainee import create_app
    from trainee.extensions import db

    app = create_app()
    statements: list[tuple] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, cursor, statement, parameters, context, executemany):
        statements.append((time.perf_counter() - conn.info.pop("t0"), statement, parameters))

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = client.post("/login", data={"csrf_token": token.group(1) if token else "", "username": args.user,
                                           "password": args.password})
    if response.status_code != 302:
        sys.exit(f"login of {args.user} failed: {response.status_code}")
    status = client.get(args.path).status_code  # warm-up (templates compiled, caches filled)
    cpu, wall, sql, counts = [], [], [], []
    profiler = cProfile.Profile() if args.cprofile else None
    for _ in range(args.n):
        statements.clear()
        c0, w0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        client.get(args.path)
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        sql.append(sum(s for s, *_ in statements) * 1000)
        counts.append(len(statements))
    print(f"{args.path} as {args.user}: status {status}, {max(counts)} queries; median wall {statistics.median(wall):.1f} ms, "
          f"CPU {statistics.median(cpu):.1f} ms, SQL {statistics.median(sql):.1f} ms")
    for seconds, statement, parameters in sorted(statements, key=lambda s: s[0], reverse=True)[:args.statements]:
        text = " ".join(statement.split())
        print(f"  {seconds * 1000:8.1f} ms  {text if args.full else text[:220]}")
        if args.full:
            print(f"             parameters: {parameters!r:.400}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
