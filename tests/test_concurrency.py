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
