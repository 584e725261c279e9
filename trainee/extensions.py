"""Flask extensions, created once and bound to the app in create_app()."""
import threading

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class ThreadSafeMemoryStorage(MemoryStorage):
    """Rate-limit counters in memory ("memory-threadsafe://", used without Redis) that threads can share.

    limits 5.8's memory storage starts its expiry timer twice when two threads hit at once ("threads can only
    be started once", a 500 on a threaded server; fixed upstream in alisaifee/limits#352, not yet released),
    and its timer thread expires keys while requests count them (KeyError). One lock around all of it.
    """

    STORAGE_SCHEME = ["memory-threadsafe"]

    def __init__(self, *args, **kwargs):
        self._guard = threading.RLock()
        super().__init__(*args, **kwargs)

    def _MemoryStorage__expire_events(self):  # the base class's private timer callback, run in the timer thread
        with self._guard:
            super()._MemoryStorage__expire_events()

    def incr(self, *args, **kwargs):
        with self._guard:
            return super().incr(*args, **kwargs)

    def decr(self, *args, **kwargs):
        with self._guard:
            return super().decr(*args, **kwargs)

    def acquire_entry(self, *args, **kwargs):
        with self._guard:
            return super().acquire_entry(*args, **kwargs)
