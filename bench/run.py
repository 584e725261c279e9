"""City-scale benchmark: `make bench` (options: python bench/run.py --help).

1. Builds (once, cached) a data set with `flask seed-demo --trainees N --years Y` in a separate database
   (SQLite file under bench/data/, or PostgreSQL database `bench_<N>` with --postgres), plus a 100-trainee
   set to compare query counts.
2. Serves the app with gunicorn (2 workers) and, in the same run, a bare Flask app (bench/bare_app.py); the
   trainee home's throughput ratio to the bare page is the median of three alternating rounds (bare, home, ...).
3. Measures over loopback with a small keep-alive HTTP client, for every page: single-user median/p95,
   requests per second with 4 concurrent clients, and SQL queries per request (X-Query-Count header);
   for the write path (post + submit + approve through the API) the same, four clients writing at once.
4. Writes bench/results.json and prints a table with the targets of issue #9.
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
VENV_BIN = ROOT / ".venv" / "bin"
TARGET_MS = {"trainee_home": 50, "trainee_home_first_view": 50, "progress_page": 50, "review_queue": 50, "api_trainee_detail": 50, "hr_dashboard": 150,
             "hr_dashboard_after_write": 150}


def database_url(trainees: int, years: int, postgres: bool) -> str:
    if postgres:
        return f"postgresql://postgres@127.0.0.1:5432/bench_{trainees}_{years}"
    return f"sqlite:///{DATA / f'bench-{trainees}-{years}.db'}"


def flask_env(url: str) -> dict:
    instance = DATA / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    return dict(os.environ, DATABASE_URL=url, INSTANCE_DIR=str(instance), QUERY_COUNT_HEADER="1",
                APP_ENV="benchmark", LOGIN_RATE_LIMIT="100000 per minute")


def build(trainees: int, years: int, postgres: bool) -> str:
    url = database_url(trainees, years, postgres)
    marker = DATA / f"built-{trainees}-{years}-{'pg' if postgres else 'sqlite'}"
    if marker.exists():  # built earlier: bring its schema up to the code's (a later migration)
        subprocess.run([str(VENV_BIN / "flask"), "--app", "app", "db", "upgrade"], check=True, env=flask_env(url),
                       cwd=ROOT, capture_output=True)
        return url
    DATA.mkdir(parents=True, exist_ok=True)
    if postgres:
        name = url.rsplit("/", 1)[1]
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    else:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = flask_env(url)
    flask = [str(VENV_BIN / "flask"), "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], check=True, env=env, cwd=ROOT, capture_output=True)
    started = time.perf_counter()
    subprocess.run([*flask, "seed-demo", "--trainees", str(trainees), "--years", str(years)], check=True, env=env, cwd=ROOT)
    print(f"built {trainees} trainees × {years} years in {time.perf_counter() - started:.0f} s")
    marker.write_text(str(time.perf_counter() - started))
    return url


class Client:
    """A keep-alive HTTP client with a cookie jar (session sign-in) — enough for this benchmark."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response, data

    def login(self, username: str, password: str = "demo1234") -> None:
        _response, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        token = token or re.search(rb'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
        body = urlencode({"csrf_token": token.group(1).decode() if token else "", "username": username, "password": password})
        response, _ = self.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        if response.status != 302:
            raise RuntimeError(f"login of {username} failed: {response.status}")


def serve(app_spec: str, port: int, env: dict):
    command = [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn on {port} did not start")


def latency(client: Client, method: str, path: str, n: int, headers=None, body=None) -> dict:
    """Median and p95 of `n` sequential requests after a warm-up. Queries: the most any request made, except
    that a page with kept parts (core/freshness) reports requests served from them ("queries") apart from
    those that rendered afresh ("queries_made": each gunicorn worker keeps its own copy, so a worker's first
    request renders), so that the counts compare between data sizes."""
    times, queries, made, status = [], [], [], None
    client.request(method, path, body, headers)  # warm-up
    for _ in range(n):
        started = time.perf_counter()
        response, _ = client.request(method, path, body, headers)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status
        count = int(response.getheader("X-Query-Count") or -1)
        (made if "made" in (response.getheader("X-Kept") or "") else queries).append(count)
    result = _summary(times, status, max(queries or made))
    if made and queries:
        result["queries_made"] = max(made)
    return result


def _summary(times: list[float], status, queries) -> dict:
    """Median and p95 (the nearest-rank value) of request times in milliseconds."""
    times = sorted(times)
    return {"status": status, "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1), "queries": queries}


def throughput(make_client, path, seconds: float, concurrency: int, headers=None) -> float:
    """Requests per second with `concurrency` keep-alive clients; `path` may be a callable(client) doing one unit."""
    count, lock = [0], threading.Lock()
    clients = [make_client() for _ in range(concurrency)]  # signed in before the clock starts
    stop = time.perf_counter() + seconds

    def worker(client):
        done = 0
        while time.perf_counter() < stop:
            if callable(path):
                path(client)
            else:
                client.request("GET", path, None, headers)
            done += 1
        with lock:
            count[0] += done
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return round(count[0] / seconds, 1)


def pick_accounts(url: str) -> dict:
    """Usernames and ids to exercise: a stage-2 trainee with a mentor, that mentor, city HR."""
    code = """
from app import app
from trainee.extensions import db
from trainee.auth.models import User
from trainee.mentoring.models import MentorAssignment
import json
with app.app_context():
    row = db.session.execute(db.select(MentorAssignment).where(MentorAssignment.end_date.is_(None)).order_by(MentorAssignment.id)
                             .offset(db.session.execute(db.select(db.func.count(MentorAssignment.id))).scalar() // 2).limit(1)).scalar_one()
    trainee = db.session.execute(db.select(User).where(User.person_id == row.trainee_id)).scalar_one()
    mentor = db.session.execute(db.select(User).where(User.person_id == row.mentor_id)).scalar_one()
    others = db.session.execute(db.select(User.username).join(MentorAssignment, MentorAssignment.trainee_id == User.person_id)
                                .where(MentorAssignment.end_date.is_(None), User.id != trainee.id)
                                .order_by(MentorAssignment.id).limit(60)).scalars().all()
    print(json.dumps({"trainee": trainee.username, "trainee_person": row.trainee_id, "mentor": mentor.username,
                      "other_trainees": others}))
"""
    out = subprocess.run([str(VENV_BIN / "python"), "-c", code], env=flask_env(url), cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1]) | {"hr": "hr_city"}


def measure(url: str, n: int, port: int, rps_seconds: float = 5) -> dict:
    env = flask_env(url)
    server = serve("app:app", port, env)
    try:
        acc = pick_accounts(url)
        trainee, mentor, hr = Client(port), Client(port), Client(port)
        trainee.login(acc["trainee"])
        mentor.login(acc["mentor"])
        hr.login(acc["hr"])
        api = Client(port)
        response, body = api.request("POST", "/api/v1/tokens", json.dumps({"username": acc["hr"], "password": "demo1234"}),
                                     {"Content-Type": "application/json"})
        bearer = {"Authorization": f"Bearer {json.loads(body)['token']}"}
        pid = acc["trainee_person"]
        pages = {
            "trainee_home": (trainee, "/home"),
            "progress_page": (trainee, f"/trainees/{pid}/progress"),
            "review_queue": (mentor, "/activities/review"),
            "hr_dashboard": (hr, "/reports/overview"),
            "checklist_completion": (hr, "/checklists/completion"),
            "trainee_checklist": (trainee, f"/trainees/{pid}/checklist"),
            "people_list_p1": (hr, "/people/?page=1"),
            "people_list_p200": (hr, "/people/?page=200"),
            "api_trainee_detail": (api, f"/api/v1/trainees/{pid}"),
        }
        results = {}
        users = {id(trainee): acc["trainee"], id(mentor): acc["mentor"], id(hr): acc["hr"]}
        for name, (client, path) in pages.items():
            headers = bearer if client is api else None
            results[name] = latency(client, "GET", path, n, headers=headers)
            make = (lambda: Client(port)) if client is api else (lambda u=users[id(client)]: _logged_in(port, u))
            results[name]["rps"] = throughput(make, path, rps_seconds, 4, headers)
        results["trainee_home_first_view"] = first_views(port, acc["other_trainees"][:n])
        results["hr_dashboard_after_write"] = hr_dashboard_after_write(port, hr, acc, n)
        results["post_and_approve_activity"] = post_and_approve(port, acc, n=max(5, n // 5))
        results["post_and_approve_activity"]["rps"] = post_and_approve_throughput(port, acc, rps_seconds)
        return results
    finally:
        server.terminate()
        server.wait()


def first_views(port: int, usernames: list[str]) -> dict:
    """Trainee home as first seen (nothing kept yet for that trainee): each of `usernames` signs in, then one
    timed GET. The repeat visits measured above are served from the kept widgets (core/freshness)."""
    times, queries, status = [], [], None
    for username in usernames:
        client = _logged_in(port, username)
        started = time.perf_counter()
        response, _ = client.request("GET", "/home")
        times.append((time.perf_counter() - started) * 1000)
        status = response.status
        queries.append(int(response.getheader("X-Query-Count") or -1))
    return _summary(times, status, max(queries))


def hr_dashboard_after_write(port: int, hr: "Client", acc: dict, n: int) -> dict:
    """The HR overview computed afresh: before each timed view, an untimed write in its scope (the trainee saves
    a draft entry through the API), so no kept copy is valid. The repeat views measured as hr_dashboard are served
    from the overview kept while nothing in the city changed (core/freshness)."""
    t_headers, _m = _tokens(port, acc)
    writer, times, queries, status = Client(port), [], [], None
    for i in range(n):
        response, body = writer.request("POST", f"/api/v1/trainees/{acc['trainee_person']}/activities",
                                        json.dumps(_entry(f"基准测试草稿 {i}")), t_headers)
        if response.status != 201:
            return {"status": response.status, "note": "post: " + body[:200].decode(errors="replace")}
        started = time.perf_counter()
        response, _ = hr.request("GET", "/reports/overview")
        times.append((time.perf_counter() - started) * 1000)
        status = response.status
        queries.append(int(response.getheader("X-Query-Count") or -1))
    return _summary(times, status, max(queries))


def _entry(title: str) -> dict:
    return {"date": time.strftime("%Y-%m-%d"), "type": "ASSIST_CASE", "title": title, "description": "协助审查证据",
            "hours": 2, "transition": "T4", "no_classified_confirmed": True}


def _logged_in(port, username):
    client = Client(port)
    client.login(username)
    return client


def _tokens(port: int, acc: dict) -> tuple[dict, dict]:
    def token(user):
        _r, body = Client(port).request("POST", "/api/v1/tokens", json.dumps({"username": user, "password": "demo1234"}),
                                        {"Content-Type": "application/json"})
        return {"Authorization": f"Bearer {json.loads(body)['token']}", "Content-Type": "application/json"}
    return token(acc["trainee"]), token(acc["mentor"])


def post_submit_approve(client: "Client", acc: dict, t_headers: dict, m_headers: dict, i: int) -> tuple[int, str]:
    """One unit of the write path: the trainee posts and submits an entry, the mentor approves it."""
    response, body = client.request("POST", f"/api/v1/trainees/{acc['trainee_person']}/activities",
                                    json.dumps(_entry(f"基准测试 {i}")), t_headers)
    if response.status != 201:
        return response.status, "post: " + body[:200].decode(errors="replace")
    activity = json.loads(body)["id"]
    response, body = client.request("POST", f"/api/v1/activities/{activity}/submit",
                                    json.dumps({"no_classified_confirmed": True}), t_headers)
    if response.status != 200:
        return response.status, "submit: " + body[:200].decode(errors="replace")
    response, body = client.request("POST", f"/api/v1/activities/{activity}/approve", "{}", m_headers)
    return response.status, "" if response.status == 200 else "approve: " + body[:200].decode(errors="replace")


def post_and_approve(port: int, acc: dict, n: int) -> dict:
    """API: the trainee posts and submits an activity, the mentor approves it; timed end to end."""
    t_headers, m_headers = _tokens(port, acc)
    client, times, status = Client(port), [], None
    for i in range(n):
        started = time.perf_counter()
        status, note = post_submit_approve(client, acc, t_headers, m_headers, i)
        if note:
            return {"status": status, "note": note}
        times.append((time.perf_counter() - started) * 1000)
    return _summary(times, status, None)


def post_and_approve_throughput(port: int, acc: dict, seconds: float) -> float:
    """Complete post + submit + approve units per second, four clients writing at once (SQLite: one writer
    at a time, the others wait on the busy timeout; no "database is locked")."""
    t_headers, m_headers = _tokens(port, acc)
    failures = []

    def unit(client):
        status, note = post_submit_approve(client, acc, t_headers, m_headers, 0)
        if note:
            failures.append(note)
    rate = throughput(lambda: Client(port), unit, seconds, 4)
    if failures:
        raise RuntimeError(f"{len(failures)} concurrent writes failed, first: {failures[0]}")
    return rate


def bare_ceiling(port: int, seconds: float) -> float:
    server = serve("bench.bare_app:app", port, dict(os.environ))
    try:
        return throughput(lambda: Client(port), "/", seconds, 4)
    finally:
        server.terminate()
        server.wait()


def home_vs_bare(url: str, trainee: str, rounds: int = 3, seconds: float = 5) -> dict:
    """Trainee home throughput against the bare page in alternating rounds (bare, home, bare, home, ...): this VM's
    speed drifts within minutes, and two figures taken minutes apart compare the hours rather than the pages.
    The ratio of record is the median of the rounds' ratios."""
    found = []
    for _ in range(rounds):
        bare = bare_ceiling(8102, seconds)
        server = serve("app:app", 8101, flask_env(url))
        try:
            home = throughput(lambda: _logged_in(8101, trainee), "/home", seconds, 4)
        finally:
            server.terminate()
            server.wait()
        found.append({"bare_rps": bare, "home_rps": home, "ratio": round(home / bare, 3) if bare else None})
    return {"rounds": found, "ratio_to_bare": statistics.median(r["ratio"] for r in found)}


def cpu_reference_ms() -> float:
    """A fixed pure-Python workload, timed: this VM's speed varies by about 2× from hour to hour, and the
    figures above only compare with another run when this one is close."""
    times = []
    for _ in range(5):
        started = time.process_time()
        sum(i * i for i in range(1_000_000))
        times.append((time.process_time() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=10000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--requests", type=int, default=50, help="sequential requests per page")
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    args = parser.parse_args()
    report = {"trainees": args.trainees, "years": args.years, "machine": os.uname().nodename,
              "cpu_reference_ms_before": cpu_reference_ms(), "load_average_before": os.getloadavg()[0], "engines": {}}
    engines = [False, True] if args.postgres else [False]
    for postgres in engines:
        name = "postgresql" if postgres else "sqlite"
        big = build(args.trainees, args.years, postgres)
        small = build(100, 1, postgres)
        results = measure(big, args.requests, 8101)
        small_results = measure(small, 5, 8101, rps_seconds=0.5)
        for page, figures in results.items():
            if page in small_results:
                figures["queries_at_100"] = small_results[page].get("queries")
        paired = home_vs_bare(big, pick_accounts(big)["trainee"])
        results["trainee_home"]["ratio_to_bare"] = paired["ratio_to_bare"]
        results["trainee_home"]["ratio_rounds"] = paired["rounds"]
        report["engines"][name] = results
    report["bare_flask_rps"] = statistics.median(r["bare_rps"] for results in report["engines"].values()
                                                 for r in results["trainee_home"]["ratio_rounds"])
    report["cpu_reference_ms_after"] = cpu_reference_ms()
    (ROOT / "bench" / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print_table(report)


def print_table(report: dict) -> None:
    print(f"\n{report['trainees']} trainees × {report['years']} years; bare Flask (median of the rounds): "
          f"{report['bare_flask_rps']} req/s; "
          f"CPU reference {report.get('cpu_reference_ms_before')} / {report.get('cpu_reference_ms_after')} ms "
          f"(a fixed Python loop before / after: compare runs only when these are close)")
    for engine, results in report["engines"].items():
        print(f"\n[{engine}]  {'page':28} {'status':>6} {'median':>8} {'p95':>8} {'target':>7} {'req/s':>7} {'queries':>8} {'@100':>5}")
        for page, f in results.items():
            target = TARGET_MS.get(page)
            ok = "" if target is None or f.get("p95_ms") is None else ("✓" if f["p95_ms"] <= target else "✗")
            cells = [str(f.get(k) if f.get(k) is not None else "") for k in ("status", "median_ms", "p95_ms")]
            tail = [str(f.get(k) if f.get(k) is not None else "") for k in ("queries", "queries_at_100")]
            if f.get("queries_made"):  # served from kept parts / rendered afresh
                tail[0] = f"{tail[0]}/{f['queries_made']}"
            print(f"  {page:36} {cells[0]:>6} {cells[1]:>8} {cells[2]:>8} {(str(target) + ok) if target else '':>7} "
                  f"{f.get('rps') or '':>7} {tail[0]:>8} {tail[1]:>5}")
        home = results["trainee_home"]
        rounds = ", ".join(f"{r['home_rps']}/{r['bare_rps']} = {r['ratio']}" for r in home.get("ratio_rounds", []))
        print(f"  trainee home throughput vs bare, alternating rounds: {rounds}; median {home.get('ratio_to_bare')} ×"
              f" (target ≥ 0.30)")


if __name__ == "__main__":
    sys.exit(main())
