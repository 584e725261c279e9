"""Hostile input against every operation in /api/openapi.json: never a 500, and nothing changes that the caller
may not change.

For each documented operation, hypothesis builds requests from the operation's own description (path ids,
query parameters, JSON body) and from outside it: wrong types, huge and unicode strings, SQL fragments,
script tags, nulls, nested objects, unknown fields that try mass assignment (status, points, role, unit_id,
someone else's trainee_id), malformed JSON and wrong content types, missing or forged tokens.

The caller is the low-privilege demo `trainee`. Before and after, every table is read: a row that appeared,
vanished or changed must belong to the caller (a column such as person_id/trainee_id/user_id naming them, or a
parent row that does), and every new audit entry must be the caller's own.
"""
import importlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import login
from trainee.api import RESOURCES
from trainee.api.openapi import document
from trainee.auth.models import User
from trainee.extensions import db

MAX_EXAMPLES = 40

HOSTILE_STRINGS = [
    "", " ", "\x00", "' OR '1'='1", "1; DROP TABLE users; --", "\" OR 1=1 --", "%", "_", "\\", "../../etc/passwd",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "{{7*7}}", "${7*7}", "javascript:alert(1)",
    "file:///etc/passwd", "http://169.254.169.254/", "\u202e\u0000\ud7ff", "李思远", "🧑‍⚖️" * 10, "null", "NaN",
    "-1", "0", "99999999999999999999999", "1e400", "true", "[]", "{}", "A" * 5000, "中" * 2000,
]
HOSTILE_INTS = [0, -1, 1, 2, 7, 2**31 - 1, 2**31, 2**53 + 1, 2**63, 2**64 + 5, -(2**63) - 1]
MASS_ASSIGNMENT = ["status", "points", "role", "roles", "unit_id", "trainee_id", "person_id", "user_id", "id",
                   "approved", "approved_by", "is_admin", "active", "stage", "score", "grade", "mentor_id"]
OWNER_COLUMNS = ("person_id", "trainee_id", "user_id", "actor_id", "owner_id", "author_id", "created_by_id",
                 "submitted_by_id", "recipient_id")

hostile_scalar = st.one_of(
    st.none(), st.booleans(), st.sampled_from(HOSTILE_INTS), st.integers(),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(HOSTILE_STRINGS), st.text(max_size=40),
)
hostile_value = st.recursive(
    hostile_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)


def value_for(schema: dict):
    """A value that fits the schema, or nearly fits it."""
    schema = schema or {}
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), hostile_scalar)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "integer":
        return st.one_of(st.integers(min_value=-5, max_value=200), st.sampled_from(HOSTILE_INTS))
    if kind == "number":
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers())
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        if schema.get("format") == "date":
            return st.one_of(st.dates().map(lambda d: d.isoformat()), st.sampled_from(
                ["2024-02-30", "9999-99-99", "0000-00-00", "2024-13-01", "yesterday", "1900-01-01"]))
        limit = schema.get("maxLength") or 60
        return st.one_of(st.text(max_size=limit), st.sampled_from(HOSTILE_STRINGS), st.just("x" * (limit + 1)))
    if kind == "array":
        return st.lists(value_for(schema.get("items") or {}), max_size=4)
    if kind == "object":
        return object_for(schema)
    return hostile_value


def object_for(schema: dict):
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    fields = {name: value_for(sub) for name, sub in props.items()}
    return st.fixed_dictionaries(
        {k: v for k, v in fields.items() if k in required},
        optional={k: v for k, v in fields.items() if k not in required},
    )


def body_for(schema: dict | None):
    """(kwargs for the test client) — JSON from the schema, off it, or not JSON at all."""
    fitting = object_for(schema) if schema else st.fixed_dictionaries({})
    return st.one_of(
        fitting.map(lambda b: {"json": b}),
        st.tuples(fitting, st.sampled_from(MASS_ASSIGNMENT), hostile_value).map(
            lambda t: {"json": {**t[0], t[1]: t[2]}}),
        st.tuples(fitting, st.sampled_from(sorted((schema or {}).get("properties", {}) or {"x": 0})),
                  hostile_value).map(lambda t: {"json": {**t[0], t[1]: t[2]}}),
        hostile_value.map(lambda v: {"json": v}),
        st.sampled_from(["{", "{\"a\":", "[1,2", "\x00\xff", "null", "{\"a\": NaN}", "{" * 500 + "}" * 500,
                         json.dumps({"a": "b" * 200_000})]).map(
            lambda raw: {"data": raw, "content_type": "application/json"}),
        st.just({"data": "username=hr&password=demo1234", "content_type": "application/x-www-form-urlencoded"}),
        st.just({}),
    )


def query_for(params: list[dict]):
    names = [p["name"] for p in params if p.get("in") == "query"]
    if not names:
        return st.one_of(st.just({}), st.dictionaries(st.sampled_from(["page", "q", "x"]), st.text(max_size=20),
                                                      max_size=2))
    fitting = {p["name"]: value_for(p.get("schema") or {}).map(
        lambda v: v if isinstance(v, str) else json.dumps(v)) for p in params if p.get("in") == "query"}
    return st.fixed_dictionaries({}, optional=fitting)


def path_for(path: str, params: list[dict], samples: list[int]):
    names = [p["name"] for p in params if p.get("in") == "path"]
    ids = st.one_of(st.sampled_from(samples + HOSTILE_INTS), st.sampled_from(["abc", "-1", "1.5", "%00", "1%20OR%201=1"]))
    return st.fixed_dictionaries({n: ids for n in names}).map(
        lambda values: _fill(path, values))


def _routed(app, url: str, method: str) -> bool:
    """Does the URL reach a view? (An id the route's converter refuses is a 404 before any authentication.)"""
    try:
        app.url_map.bind("localhost").match(url.split("?")[0], method=method.upper())
    except Exception:
        return False
    return True


def _fill(path: str, values: dict) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path


for _name in RESOURCES:  # importing a resource module registers its operations (done by create_app too)
    importlib.import_module(f"trainee.api.{_name}")
OPERATIONS = sorted((path, method) for path, ops in document()["paths"].items() for method in ops)


def _spec(path, method):
    return document()["paths"][path][method]


# --- what the caller may change ------------------------------------------------------------------

def snapshot() -> dict:
    """{table: {primary key: row}} for every table."""
    db.session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        pk = [c.name for c in table.primary_key.columns]
        rows = db.session.execute(select(table)).mappings().all()
        state[table.name] = {tuple(r[c] for c in pk): dict(r) for r in rows}
    return state


def _owned(table_name: str, row: dict, owner: dict, state: dict, depth: int = 0) -> bool:
    for column in OWNER_COLUMNS:
        if column in row and row[column] is not None:
            mine = owner["user_id"] if column in ("user_id", "actor_id", "recipient_id") else owner["person_id"]
            if row[column] == mine:
                return True
    if table_name == "people" and row.get("id") == owner["person_id"]:
        return True
    if table_name == "users" and row.get("id") == owner["user_id"]:
        return True
    if depth >= 2:
        return False
    table = db.metadata.tables[table_name]
    for fk in table.foreign_keys:
        value = row.get(fk.parent.name)
        parent = state.get(fk.column.table.name, {}).get((value,))
        if parent is not None and fk.column.table.name not in ("units", "departments") and _owned(
                fk.column.table.name, parent, owner, state, depth + 1):
            return True
    return False


def foreign_changes(before: dict, after: dict, owner: dict) -> list[str]:
    problems = []
    for table, rows in after.items():
        old = before.get(table, {})
        for key in set(old) | set(rows):
            was, now = old.get(key), rows.get(key)
            if was == now:
                continue
            if table == "audit_entries":
                if was is not None or now["actor_id"] != owner["user_id"]:
                    problems.append(f"audit entry not by the caller: {now or was}")
                continue
            if table == "api_tokens" and was and now and {k for k in now if now[k] != was[k]} <= {"last_used_at"}:
                continue
            row = now if now is not None else was
            if not _owned(table, row, owner, after if now is not None else before):
                problems.append(f"{table} {key}: {was} -> {now}")
    return problems


@pytest.fixture
def trainee_caller(app, demo, api_token):
    user = demo["trainee"]
    others = [demo[name].person_id for name in ("trainee2", "mentor", "hr_yuhu", "head") if demo[name].person_id]
    return {"user_id": user.id, "person_id": user.person_id, "headers": api_token("trainee"),
            "samples": [user.person_id, user.id, *others]}


def test_the_fuzz_covers_every_documented_operation(client):
    documented = {(p, m) for p, ops in client.get("/api/openapi.json").get_json()["paths"].items() for m in ops}
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_hostile_requests_never_fail_and_change_nothing_foreign(app, trainee_caller, path, method):
    spec = _spec(path, method)
    params = spec.get("parameters", [])
    body_schema = (spec.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
    client = app.test_client()
    before = snapshot()
    auth = st.sampled_from(["token"] * 6 + ["none", "forged", "basic", "session"])
    forged = {"none": {}, "forged": {"Authorization": "Bearer tk_forged-" + "A" * 40},
              "basic": {"Authorization": "Basic aHI6ZGVtbzEyMzQ="}}
    seen = []

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(url=path_for(path, params, trainee_caller["samples"]), query=query_for(params),
           body=body_for(body_schema) if method in ("post", "put", "patch") else st.just({}), how=auth)
    def send(url, query, body, how):
        headers = trainee_caller["headers"] if how == "token" else forged.get(how, {})
        c = client
        if how == "session":  # a browser session is not an API credential
            c = app.test_client()
            login(c, db.session.get(User, trainee_caller["user_id"]))
        response = c.open(url, method=method.upper(), query_string=query, headers=headers, **body)
        seen.append(response.status_code)
        binary = response.mimetype in ("application/pdf", "application/zip")  # e.g. a dossier PDF
        text = "" if binary else response.get_data(as_text=True)
        assert response.status_code < 500, f"{method.upper()} {url} {query} {body!r:.300} -> {response.status_code}"
        assert "Traceback" not in text
        if how in ("none", "forged", "basic", "session") and spec.get("security") and _routed(app, url, method):
            assert response.status_code == 401, (how, url, response.status_code)
        if response.status_code >= 400:
            assert response.mimetype == "application/json" and set(response.get_json()) == {"error"}, text[:300]

    send()
    problems = foreign_changes(before, snapshot(), trainee_caller)
    assert not problems, "\n".join(problems[:20])
    assert seen
