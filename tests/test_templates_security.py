"""Pages cannot run injected script: templates autoescape, `|safe`/Markup never wrap user data, and every page
carries a CSP without inline script and contains none."""
import re
from pathlib import Path

import pytest

from tests.conftest import login
from tests.test_authz_matrix import get_routes, sample_values

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"

# Each use of |safe in a template or Markup(...) in code, with why it is not user data. A new one fails the test
# until it is reviewed and listed here.
REVIEWED_SAFE = {
    ("trainee/web/__init__.py", 'Markup("<br>").join(escape(value or "").split("\\n"))'):
        "nl2br: the text is escaped first, only the <br> joiner is markup",
    ("trainee/web/kept.py", "Markup(html)  # noqa: S704  # nosec B704 (the output of an autoescaped template, kept or fresh)"):
        "kept page parts: HTML rendered by an autoescaped template, passed into the page unchanged",
    ("trainee/web/__init__.py", "widgets_html=Markup(widgets))  # noqa: S704  # nosec B704 (the output of an autoescaped template)"):
        "home widgets: the HTML rendered by an autoescaped template, passed into the page unchanged",
    ("trainee/training/views.py", "body = Markup(render())  # noqa: S704  # nosec B704 (the output of an autoescaped template)"):
        "progress page with a form to refill: the HTML rendered by an autoescaped template",
    ("trainee/reports/views.py",
     'render_template("reports/overview.html", body=Markup(body))  # noqa: S704  # nosec B704 (autoescaped template output)'):
        "HR overview: the body rendered by an autoescaped template (kept or fresh), passed into the page unchanged",
}


def _uses():
    pattern = re.compile(r"\|\s*safe\b|Markup\(")
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("trainee/**/*.py")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if pattern.search(line):
                yield str(path.relative_to(ROOT)), line.strip().removeprefix("return ")


def test_no_unreviewed_safe_or_markup_on_user_data():
    unreviewed = [use for use in _uses() if use not in REVIEWED_SAFE]
    assert not unreviewed, f"review these (|safe / Markup must never wrap user data), then list them: {unreviewed}"


def test_templates_autoescape(app):
    assert app.jinja_env.autoescape("page.html") is True
    with app.test_request_context():
        from flask import render_template_string

        assert "&lt;script&gt;" in render_template_string("{{ v }}", v=HOSTILE)
        assert "<script>" not in app.jinja_env.filters["nl2br"](HOSTILE + "\nline")


def test_no_template_disables_autoescape():
    for path in ROOT.glob("templates/**/*"):
        if path.is_file():
            assert "autoescape false" not in path.read_text(encoding="utf-8"), path


def _check_page(url, response):
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    script_src = directives.get("script-src") or directives.get("default-src", "")  # the fallback browsers use
    if not script_src or "unsafe-inline" in script_src or "unsafe-eval" in script_src or "*" in script_src:
        problems.append(f"{url}: CSP lets scripts run: {script_src!r}")
    if response.mimetype == "text/html":
        for needed in ("object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'"):
            if needed not in csp:
                problems.append(f"{url}: CSP lacks {needed}")
    elif response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: a file served without nosniff")
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page):
            problems.append(f"{url}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", page):
            problems.append(f"{url}: inline event handler")
        if "javascript:" in page.lower():
            problems.append(f"{url}: javascript: URL")
        if re.search(r"(src|href)=\"(https?:)?//", page):
            problems.append(f"{url}: asset from another host")
    return problems


@pytest.mark.parametrize("role", ["hr", "trainee", "mentor", "admin"])
def test_every_page_has_the_csp_and_no_inline_script(app, demo, role):
    client = app.test_client()
    login(client, demo[role])
    values = sample_values(demo)
    problems = []
    for rule in get_routes(app):
        url = rule.build(values, append_unknown=False)[1] if rule.arguments else rule.rule
        response = client.get(url)
        problems += _check_page(url, response)
    anon = app.test_client()
    problems += _check_page("/login", anon.get("/login"))
    problems += _check_page("/nowhere", anon.get("/nowhere"))
    assert not problems, "\n".join(problems)


def test_hostile_names_are_shown_as_text(app, demo, db, as_role):
    person = demo["trainee"].person
    person.name = HOSTILE[:40]
    db.session.commit()
    for url in (f"/people/{person.id}", "/people/", f"/people/{person.id}/edit"):
        page = as_role("hr").get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert" in page
