"""Parsing ids and numbers from query strings and form values without surprises.

`str.isdigit()` accepts characters such as "²" or "٣" that `int()` rejects or reads differently, and an unbounded
number overflows the database's integer columns: both were a 500. Use `as_id()` for every id taken from a request.
"""
MAX_ID = 2**31 - 1


def as_id(value, default=None):
    """A positive 32-bit integer from an ASCII-digit string, else `default`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else default
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 10:
        return default
    number = int(value)
    return number if 0 < number <= MAX_ID else default


def as_int(value, low: int, high: int, default=None):
    """An integer from `low` to `high` written in ASCII digits (a year, a score), else `default`."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10 and low <= int(value) <= high:
        return int(value)
    return default


def safe_local_url(target, default: str) -> str:
    """`target` if it is a path on this site, else `default`.

    Browsers read "/\\evil.example" and "/\\t/evil.example" as "//evil.example" (another host), so a backslash or a
    control character anywhere makes the target unsafe, as does a scheme or a leading "//".
    """
    if (not isinstance(target, str) or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or len(target) > 2000):
        return default
    return target
