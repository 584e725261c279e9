"""Parts of pages kept, rendered, while the data they show is unchanged (the counters of core/freshness).

`kept_html` is for a page part shown to the signed-in user: keyed by that user, the language, today's date,
the session's CSRF secret (kept forms stay valid) and the full path; valid while the shared counter, the
counters of the people whose data it shows and the viewer's own counter (roles, mentoring) stay put.
`kept_page` keeps a whole page the same way when the layout around it draws nothing else per request: not
when flash messages wait, and with the unread-notifications badge in the key.
`kept_data` is for JSON-ready data that depends only on the people named (the permission check runs before).
`kept_for_units` is for figures over whole units (the HR overview): the caller's key names all they depend on
besides the units' data (scope, language, date, permissions), and the result is shared by everyone with that key.
Only what is computed from the database and the date may be kept: nothing that depends on the time of day.
"""
from flask import current_app, request, session
from flask_login import current_user
from markupsafe import Markup

from trainee.core.freshness import person_key, unit_key
from trainee.core.time import local_today


def _cache():
    return current_app.extensions.get("fragments")


def _locale() -> str:
    from trainee.web import select_locale

    return select_locale()


def kept_html(name: str, person_ids, render) -> Markup:
    cache = _cache()
    html = render() if cache is None else _kept(cache, name, person_ids, render)
    return Markup(html)  # noqa: S704  # nosec B704 (the output of an autoescaped template, kept or fresh)


def kept_page(name: str, person_ids, render) -> str | bytes:
    """A whole page (base.html and all), kept like `kept_html`, as the UTF-8 bytes sent (encoding a page with
    Chinese in it costs more than a kept page's lookup); the CSRF tokens it carries stay valid for the session
    (WTF_CSRF_TIME_LIMIT is None)."""
    cache = _cache()
    if cache is None or session.get("_flashes"):
        return render()
    badge = current_app.jinja_env.globals.get("unread_notifications")
    return _kept(cache, ("page", name, badge() if badge else None), person_ids, lambda: render().encode())


def _kept(cache, name: tuple, person_ids, render) -> str:
    people = {p for p in (*person_ids, current_user.person_id) if p is not None}
    key = (name, current_user.id, _locale(), local_today(), session.get("csrf_token"), request.full_path)
    return cache.get_or_make(key, [person_key(p) for p in sorted(people)], render)


def kept_data(name: str, person_ids, make):
    cache = _cache()
    if cache is None:
        return make()
    people = sorted(set(person_ids))
    return cache.get_or_make((name, *people, _locale(), local_today()), [person_key(p) for p in people], make)


def kept_for_units(key: tuple, unit_ids, make):
    """What `make()` returns (rendered HTML or JSON-ready data), or the copy kept under `key` while neither the
    shared counter nor the counter of any of `unit_ids` has moved (a write to anyone in a unit moves its counter)."""
    cache = _cache()
    if cache is None:
        return make()
    return cache.get_or_make(key, [unit_key(u) for u in sorted(set(unit_ids))], make)


def kept_per_unit(name: tuple, unit_ids, make_missing) -> dict:
    """{unit id: value}, each kept under (*name, unit id) while the shared counter and that unit's counter hold;
    `make_missing(unit ids)` returns {unit id: value} for the units with nothing valid kept. After a write in one
    unit, only that unit's value is made again."""
    unit_ids = list(unit_ids)
    cache = _cache()
    if cache is None:
        return make_missing(unit_ids)

    def make(keys):
        return {(*name, u): value for u, value in make_missing([k[-1] for k in keys]).items()}
    values = cache.get_or_make_each({(*name, u): unit_key(u) for u in unit_ids}, make)
    return {k[-1]: v for k, v in values.items()}
