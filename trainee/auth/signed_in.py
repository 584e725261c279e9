"""The signed-in user of a browser request, read once per request without building ORM objects.

Every page needs a few facts about who asks: the id, the roles, the person and unit (scope), whether a new
password is due, the language. `web.load_user` reads them (with the session check, the unread badge and the
change counters) in one Core statement; turning that row into a mapped `User` with its role rows cost about as
much again as the query, on every request, although most pages never touch the account row itself.

`SignedInUser` holds those facts and nothing else. The person and the unit are mapped objects fetched on first
use (the session's identity map: one primary-key lookup per request at most); the account row is `record`, for
the few places that read or change more of it (password, tokens, profile). It is read-only: a change goes to
`record`, so it is tracked, audited and committed like any other. `User` has `record` too (itself), so code that
is given either — `current_user` is a `User` right after `login_user`, and the API's bearer user is one — can ask
for the row the same way.
"""
from trainee.auth.models import RoleHolder, User
from trainee.extensions import db

# The account columns read on every request (web.load_user selects exactly these).
FIELDS = ("id", "username", "person_id", "unit_id", "active", "must_change_password", "session_version", "locale")
COLUMNS = tuple(getattr(User, name) for name in FIELDS)


class SignedInUser(RoleHolder):
    # The mapped objects fetched for it are held here: the session's identity map keeps an object only while
    # something refers to it, and each `current_user.person` would otherwise be a query of its own.
    __slots__ = (*FIELDS, "roles", "_loaded")

    is_authenticated = True
    is_anonymous = False

    def __init__(self, row, roles: frozenset):
        for name in FIELDS:
            object.__setattr__(self, name, getattr(row, name))
        object.__setattr__(self, "roles", roles)
        object.__setattr__(self, "_loaded", {})

    def __setattr__(self, name, value):
        raise AttributeError(f"the signed-in user is read-only; change {name!r} on its record (the User row)")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def _get(self, model, ident):
        """The mapped row of `model` with this id, from the request's session (fetched once, then held)."""
        if ident is None:
            return None
        found = self._loaded.get(model)
        if found is None or found not in db.session:  # not yet, or the session was closed in between
            found = self._loaded[model] = db.session.get(model, ident)
        return found

    @property
    def record(self) -> User:
        return self._get(User, self.id)

    @property
    def person(self):
        from trainee.org.models import Person

        return self._get(Person, self.person_id)

    @property
    def unit(self):
        from trainee.org.models import Unit

        return self._get(Unit, self.unit_id)

    @property
    def display_name(self) -> str:
        person = self.person
        return person.name if person else self.username

    # Equal to another SignedInUser of the same account; never to a User row (whose hash is its identity: a set
    # mixing both would hold one account twice). Compare ids, or `record`, across the two.
    def __eq__(self, other) -> bool:
        if isinstance(other, SignedInUser):
            return self.id == other.id
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<SignedInUser {self.id} {self.username}>"
