"""Change counters, and the cache of page parts that trusts them.

Every committed write moves counters: one per person whose records it touched ("p:<id>") and one per unit
those people belong to ("u:<id>"), or the shared counter ("*") when it cannot tell whose pages it changes
(the training model, rules, units, a person's own row, whose name shows on other people's pages). The
counters move inside the writing transaction, so they and the data commit together.

A page part that shows certain people's data can then be kept, rendered, for as long as the shared counter
and those people's counters stay where they were: `FragmentCache` keeps it under a key saying what it is
for (user, language, date...; see web/kept.py) with the counters read *before* the data, so a write landing
in between can only make the kept copy look older than it is, never newer.

Attribution is conservative: a table with a column pointing at people moves those people's counters;
a table pointing at such a table (evidence → activity) moves the owner's; anything else moves the
shared counter. Only tables that no kept part shows are left out (IGNORED_TABLES).
"""
from collections import OrderedDict
from itertools import chain
from threading import Lock

from flask import g, has_request_context
from sqlalchemy import String, bindparam, cast, event, inspect, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE

from trainee.extensions import db

SHARED = "*"
PEOPLE_TABLE = "people"
# Written often, shown in no kept part: sign-in bookkeeping, audit, notifications (a kept page has the unread
# count in its key, web/kept.py), dossier registry and jobs, the counters themselves.
IGNORED_TABLES = frozenset({"change_counters", "audit_entries", "ended_sessions", "api_tokens", "notifications",
                            "dossier_prints", "dossier_jobs"})
# Columns no kept part shows: an account's sign-in bookkeeping. Otherwise every sign-in would move the user's
# counters, and an HR officer's (an account without a person) the shared one, recomputing every kept part.
IGNORED_COLUMNS = {"users": frozenset({"password_hash", "must_change_password", "failed_logins", "locked_until",
                                       "last_login_at", "session_version", "updated_at"})}


class ChangeCounter(db.Model):
    __tablename__ = "change_counters"
    key = db.Column(db.String(24), primary_key=True)
    version = db.Column(db.BigInteger, nullable=False, default=0)


PERSON_PREFIX = "p:"


def person_key(person_id: int) -> str:
    return f"{PERSON_PREFIX}{person_id}"


def unit_key(unit_id: int) -> str:
    return f"u:{unit_id}"


# --- which counters a written row moves ------------------------------------------------------------

def _person_columns(table) -> list:
    return [c for c in table.columns if any(fk.column.table.name == PEOPLE_TABLE for fk in c.foreign_keys)]


_PLANS: dict = {}


def _plan(mapper):
    """(person attribute keys, [(attribute key, parent id column, parent's person columns)]),
    or None when the row's owner cannot be told (the shared counter moves)."""
    if mapper in _PLANS:
        return _PLANS[mapper]
    table = mapper.local_table
    plan = None
    if table.name != PEOPLE_TABLE:
        own = [mapper.get_property_by_column(c).key for c in _person_columns(table)]
        parents = []
        if not own:
            for column in table.columns:
                for fk in column.foreign_keys:
                    parent_people = _person_columns(fk.column.table)
                    if parent_people and fk.column.table.name != PEOPLE_TABLE:
                        parents.append((mapper.get_property_by_column(column).key, fk.column, parent_people))
        if own or parents:
            plan = (own, parents)
    _PLANS[mapper] = plan
    return plan


class _Pending:
    """What the current transaction changed, gathered at each flush and written once before commit."""

    def __init__(self):
        self.keys: set[str] = set()
        self.lookups: dict = {}  # (parent's id column, its person columns) -> ids of the parent rows

    def note_object(self, obj, *, deleted: bool) -> None:
        state = inspect(obj)
        if state.mapper.local_table.name in IGNORED_TABLES:
            return
        plan = _plan(state.mapper)
        if plan is None:
            self.keys.add(SHARED)
            return
        own, parents = plan
        owners = {person_key(value) for key in own for value in self._values(state, key, deleted)}
        self.keys.update(owners)
        for key, id_column, people in parents:
            ids = self._values(state, key, deleted)
            if ids:
                owners.add(key)
                self.lookups.setdefault((id_column, tuple(people)), set()).update(ids)
        if not owners:
            # No owner (e.g. the account of an HR officer who has no person record): whose pages the change
            # shows on cannot be told, so everyone's.
            self.keys.add(SHARED)

    def _values(self, state, key, deleted) -> set:
        """The attribute's value now and before this change; loaded from the row when it was expired."""
        values = {state.dict.get(key, NO_VALUE), state.committed_state.get(key, NO_VALUE)}
        if key not in state.dict and not deleted:
            values.add(getattr(state.obj(), key))
        elif key not in state.dict:
            self.keys.add(SHARED)  # a deleted row whose owner was never loaded: cannot tell, so everyone
        return {v for v in values if v is not NO_VALUE and v is not None}

    def resolve(self, session) -> set[str]:
        keys = set(self.keys)
        for (id_column, people), ids in self.lookups.items():
            if not ids:
                continue
            rows = session.execute(select(*people).where(id_column.in_(sorted(ids))))
            owners = {person_key(v) for row in rows for v in row if v is not None}
            keys.update(owners or {SHARED})
        person_ids = sorted(int(k[2:]) for k in keys if k.startswith("p:"))
        if person_ids:  # and the units those people belong to (unit-wide figures, e.g. HR's overview)
            from trainee.org.models import Person

            units = session.execute(select(Person.unit_id).where(Person.id.in_(person_ids)).distinct()).scalars()
            keys.update(unit_key(u) for u in units)
        return keys


def _pending(session) -> _Pending:
    return session.info.setdefault("freshness", _Pending())


@event.listens_for(Session, "after_flush")
def _note_flush(session, _context):
    # After the flush the foreign keys of new rows are filled in; new/dirty/deleted still list what it wrote.
    pending = _pending(session)
    for obj in chain(session.new, session.deleted):
        pending.note_object(obj, deleted=obj in session.deleted)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False) and not _bookkeeping_only(obj):
            pending.note_object(obj, deleted=False)


def _bookkeeping_only(obj) -> bool:
    state = inspect(obj)
    ignored = IGNORED_COLUMNS.get(state.mapper.local_table.name)
    return bool(ignored) and set(state.committed_state) <= ignored


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state):
    """Statements bypass the flush. A single-row INSERT (an upsert of a person's running total) moves that
    person's counter; any other INSERT, UPDATE or DELETE moves the shared one (whose rows it touched is unknown)."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in IGNORED_TABLES:
        return
    pending = _pending(state.session)
    if state.is_insert and table is not None and not state.parameters:
        names = [c.name for c in _person_columns(table)]
        params = state.statement.compile().params if names else {}
        owners = [params.get(name) for name in names]
        if owners and all(isinstance(v, int) for v in owners):
            pending.keys.update(person_key(v) for v in owners)
            return
    pending.keys.add(SHARED)


@event.listens_for(Session, "before_commit")
def _write_counters(session):
    if "freshness" not in session.info and not (session.new or session.dirty or session.deleted):
        return
    session.flush()  # commit flushes after this hook; the counters must see every change
    pending = session.info.pop("freshness", None)
    if pending is None:
        return
    keys = pending.resolve(session)
    if keys:
        _bump(session, sorted(keys))  # sorted: concurrent writers take the counter rows in one order


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    if transaction.parent is None:  # the outermost transaction ended without commit (or after it): start afresh
        session.info.pop("freshness", None)


def _bump(session, keys: list[str]) -> None:
    table = ChangeCounter.__table__
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values([{"key": k, "version": 1} for k in keys])
    statement = statement.on_conflict_do_update(index_elements=[table.c.key], set_={"version": table.c.version + 1})
    session.execute(statement)


_COUNTERS = select(ChangeCounter.key, ChangeCounter.version).where(
    ChangeCounter.key.in_(bindparam("keys", expanding=True)))  # built once: read by every kept page


def counters(*keys: str) -> tuple:
    """The counters' current values, in the order asked (0 for one never moved)."""
    wanted = (SHARED, *keys)
    known = g.get("counters_read") if has_request_context() else None
    if known is not None and all(k in known for k in wanted):
        return tuple(known[k] for k in wanted)
    # On the session's connection (its transaction) but without the ORM's execution steps: plain rows.
    found = dict(db.session.connection().execute(_COUNTERS, {"keys": list(wanted)}).all())
    return tuple(found.get(k, 0) for k in wanted)


def read_with_user(person_column) -> tuple:
    """Columns for the signed-in user's query (web.load_user): the shared counter and the user's own person's,
    so that a kept page of one's own (the trainee home) needs no query of its own. See `note_read_with_user`."""
    def version_of(key):
        return select(ChangeCounter.version).where(ChangeCounter.key == key).scalar_subquery()
    own = literal(PERSON_PREFIX) + cast(person_column, String)  # person_key() in SQL
    return version_of(SHARED).label("shared_counter"), version_of(own).label("own_counter")


def note_read_with_user(person_id, shared_version, own_version) -> None:
    """Remember the counters read with the user: read at the start of the request, before any data a page shows,
    they answer `counters()` for the rest of it, until this request commits a change (_forget_read)."""
    known = {SHARED: shared_version or 0}
    if person_id is not None:
        known[person_key(person_id)] = own_version or 0
    g.counters_read = known


@event.listens_for(Session, "after_commit")
def _forget_read(_session):
    if has_request_context():
        g.pop("counters_read", None)  # this request wrote: what it read before is no longer current


def bump_shared() -> None:
    """For writers that bypass the session (bulk loads, restores): every kept fragment is stale."""
    _pending(db.session).keys.add(SHARED)


# --- the fragment cache --------------------------------------------------------------------------

_MISSING = object()  # nothing valid kept (a kept value may itself be None or empty)


class FragmentCache:
    """Fragments kept per process within a memory budget, least recently used out first, each valid while
    its counters hold."""

    def __init__(self, max_bytes: int = 64 * 2**20):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict = OrderedDict()  # key -> (versions, value, weight)
        self._lock = Lock()
        self.hits = self.misses = 0

    def get_or_make(self, key: tuple, counter_keys, make):
        """What is kept under `key` if the shared counter and `counter_keys` (e.g. [person_key(id)]) have not
        moved since it was made; otherwise `make()` it (HTML, or JSON-ready data never changed afterwards) and keep it."""
        versions = counters(*counter_keys)  # read before the data the fragment shows
        with self._lock:
            kept = self._valid(key, versions)
        if kept is not _MISSING:
            _note_use("kept")
            return kept
        _note_use("made")
        value = make()
        self._keep(key, versions, value)
        return value

    def get_or_make_each(self, keys: dict, make_missing) -> dict:
        """Many values at once, each valid while the shared counter and its own counter hold: `keys` maps each
        key to its counter key (e.g. a unit's figures to unit_key(id)); all counters are read in one query. Returns
        {key: value}: those kept, and for the others what `make_missing(list of keys)` returns ({key: value})."""
        counter_keys = sorted(set(keys.values()))
        found = dict(zip((SHARED, *counter_keys), counters(*counter_keys), strict=True))
        versions = {key: (found[SHARED], found[counter]) for key, counter in keys.items()}
        result, missing = {}, []
        with self._lock:
            for key in keys:
                kept = self._valid(key, versions[key])
                if kept is _MISSING:
                    missing.append(key)
                else:
                    result[key] = kept
        _note_use("made" if missing else "kept")
        if missing:
            made = make_missing(missing)
            for key in missing:
                self._keep(key, versions[key], made[key])
            result.update(made)
        return result

    def _valid(self, key, versions):
        """The value kept under `key` if it was made at these counter `versions`, else _MISSING (hold the lock)."""
        kept = self._items.get(key)
        if kept is None or kept[0] != versions:
            return _MISSING
        self._items.move_to_end(key)
        self.hits += 1
        return kept[1]

    def _keep(self, key, versions, value) -> None:
        weight = _weight(value)
        with self._lock:
            self.misses += 1
            old = self._items.pop(key, None)
            self.bytes -= old[2] if old else 0
            self._items[key] = (versions, value, weight)
            self.bytes += weight
            while self.bytes > self.max_bytes and self._items:
                _key, (_v, _value, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0


def _note_use(outcome: str) -> None:
    """For the benchmark's X-Kept header (core/querycount): which requests were served from kept parts."""
    if has_request_context():
        g.kept_uses = [*g.get("kept_uses", []), outcome]


def _weight(value) -> int:
    """Roughly the bytes a kept value holds (CPython keeps text with Chinese in it at 2 bytes a character)."""
    if isinstance(value, bytes):
        return len(value) + 200
    return 2 * len(value if isinstance(value, str) else repr(value)) + 200
