"""Rate limits for the few routes that need them: sign-in, token creation, the public dossier check.

Counting and storage come from the `limits` library (in memory, or in Redis when REDIS_URL is set, so that
all workers count together); a decorator applies a limit to one route. Flask-Limiter did the same through
hooks run on every request of the application, which cost every page about 0.09 ms (some 5 % of a page kept
in memory) for limits on four routes.
"""
import threading
import time
from functools import wraps

from flask import current_app, request
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests


class RateLimiter:
    def init_app(self, app) -> None:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        app.extensions["rate_limits"] = FixedWindowRateLimiter(storage)

    @property
    def storage(self):
        return current_app.extensions["rate_limits"].storage

    def reset(self) -> None:
        self.storage.reset()

    def limit(self, rate, methods=None):
        """Allow a client (by address) `rate` requests ("10 per minute", or a function returning it) to the
        decorated view, counting only `methods` when given; beyond it, 429 with Retry-After."""
        def decorate(view):
            name = f"{view.__module__}.{view.__qualname__}"

            @wraps(view)
            def limited(*args, **kwargs):
                if methods is None or request.method in methods:
                    self._hit(name, rate() if callable(rate) else rate)
                return view(*args, **kwargs)
            return limited
        return decorate

    def _hit(self, name: str, rate: str) -> None:
        strategy = current_app.extensions["rate_limits"]
        item, client = parse(rate), request.remote_addr or "unknown"
        if not strategy.hit(item, name, client):
            reset_at = strategy.get_window_stats(item, name, client).reset_time
            raise TooManyRequests(retry_after=max(1, int(reset_at - time.time() + 0.999)))


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
