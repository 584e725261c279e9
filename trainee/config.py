"""Configuration: defaults, overridden by the environment. Nothing secret is hard-coded."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    path = Path(os.environ.get("INSTANCE_DIR", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else generated once into instance/secret_key."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'trainee.db'}")
    # psycopg 3 is the driver we ship; accept the common postgres:// spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    def __init__(self):
        instance = _instance_dir()
        self.APP_ENV = os.environ.get("APP_ENV", "development")
        self.INSTANCE_DIR = str(instance)
        self.SECRET_KEY = _secret_key(instance)
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance)
        self.SQLALCHEMY_ENGINE_OPTIONS = {}  # idle connections are tested before use: core/db.ping_idle_connections
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(instance / "uploads"))
        self.MAX_CONTENT_LENGTH = 60 * 1024 * 1024  # 5 files × 10 MB plus form overhead
        self.MAX_UPLOAD_FILE_BYTES = 10 * 1024 * 1024
        self.BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "zh_CN")
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "trainee" / "translations")
        self.LANGUAGES = ["zh_CN", "en"]
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto (0: none, the headers are ignored).
        # Behind one, without this every client would have the proxy's address: in the audit trail, and for the
        # sign-in rate limit, which all users would then share.
        self.PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
        self.WTF_CSRF_TIME_LIMIT = None  # valid for the session: a long form is not lost
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory-threadsafe://"
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.LOCKOUT_THRESHOLD = 5
        self.LOCKOUT_MINUTES = 15
        self.API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "720"))
        self.PAGE_SIZE = 50
        # Memory per worker process for page parts kept while their data is unchanged (core/freshness); 0 = off.
        self.FRAGMENT_CACHE_MB = int(os.environ.get("FRAGMENT_CACHE_MB", "64"))
        self.QUERY_COUNT_HEADER = os.environ.get("QUERY_COUNT_HEADER", "0") == "1"
        # Batch dossiers render in this many processes (each a core); 1 renders in the job's own thread.
        self.DOSSIER_PROCESSES = int(os.environ.get("DOSSIER_PROCESSES", str(min(2, os.cpu_count() or 1))))
        self.TESTING = False


class TestConfig(Config):
    __test__ = False  # not a pytest test class

    def __init__(self, database_url: str):
        super().__init__()
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.WTF_CSRF_ENABLED = False
        self.RATELIMIT_STORAGE_URI = "memory-threadsafe://"
        self.LOGIN_RATE_LIMIT = "1000 per minute"  # tests that check the limit lower it
        self.DOSSIER_PROCESSES = 1  # the process pool has its own test
        self.SERVER_NAME = None
