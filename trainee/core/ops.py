"""The transaction boundary shared by every operation."""
from contextlib import contextmanager

from trainee.extensions import db


@contextmanager
def transaction():
    """Commit what the block changed, or roll all of it back: nothing is half-saved."""
    try:
        yield db.session
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
