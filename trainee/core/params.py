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
