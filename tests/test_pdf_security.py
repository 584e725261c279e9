"""Printing a dossier never lets user text reach WeasyPrint as markup or a URL: everything the renderer fetches
while printing a dossier full of hostile text is one of the app's own static files."""
import pytest

render = pytest.importorskip("trainee.dossiers.render", reason="PDF dossiers arrive with the dossiers feature")

HOSTILE = ('<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
           '<style>@import url(file:///etc/shadow);</style><iframe src="/etc/hosts"></iframe>')


@pytest.fixture
def spy(monkeypatch):
    fetched = []
    original = render.static_fetcher

    def spying_fetcher():
        fetcher = original()
        real = fetcher.fetch

        def fetch(url, headers=None):
            fetched.append(url)
            return real(url, headers) if headers is not None else real(url)
        fetcher.fetch = fetch
        return fetcher

    monkeypatch.setattr(render, "static_fetcher", spying_fetcher)
    return fetched


def test_a_dossier_full_of_hostile_text_fetches_only_static_files(as_role, demo, db, spy):
    person = demo["trainee"].person
    person.name = '李思远<img src="file:///etc/passwd">'  # columns are short: each field gets one payload
    person.school = '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
    person.major = "<style>@import url(file:///etc/shadow);</style>"
    db.session.commit()
    response = as_role("trainee").get(f"/people/{person.id}/dossier.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert spy, "the renderer fetched nothing at all: is the spy in place?"
    outside = [url for url in spy if not url.startswith(render.BASE_URL + "static/")]
    assert not outside, outside


def test_the_preview_escapes_user_text(as_role, demo, db):
    person = demo["trainee"].person
    person.name = '<img src="file:///etc/passwd">'
    db.session.commit()
    html = as_role("trainee").get(f"/people/{person.id}/dossier").get_data(as_text=True)
    assert '<img src="file:///etc/passwd">' not in html and "&lt;img" in html


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x", "https://example.com/f.ttf",
                                 "app://trainee/static/../../trainee/config.py", "app://trainee/static/%2e%2e/%2e%2e/app.py",
                                 "app://evil/static/css/dossier.css", "data:text/css,body{}", "ftp://x/y",
                                 "app://trainee/static//etc/passwd", "APP://trainee/static/../../.git/config"])
def test_the_fetcher_refuses_anything_but_static_files(app, url):
    with app.app_context(), pytest.raises(ValueError):
        render.static_fetcher().fetch(url)
