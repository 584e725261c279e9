"""HTML and PDF rendering of a dossier: one template, one print style sheet, WeasyPrint.

The HTML is the same for the browser preview and the PDF. WeasyPrint resolves its URLs against the
private base `app://trainee/` and fetches them through `StaticOnlyFetcher`, which serves files of the
app's static folder and refuses everything else (file://, http(s)://, data:, ...): a dossier never
reads the server's disk or the network, whatever text a user typed into a record.
"""
import gc
import logging
import mimetypes
import os
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser

from flask import current_app, render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

from trainee.dossiers import fonts, sections
from trainee.dossiers.models import format_code

log = logging.getLogger(__name__)

SCHEME = "app"
BASE_URL = f"{SCHEME}://trainee/"
STYLE_SHEET = "css/dossier.css"  # in the static folder
# urljoin resolves relative URLs (../fonts/x.ttf in the style sheet) only for schemes it knows.
for _registry in (urllib.parse.uses_relative, urllib.parse.uses_netloc):
    if SCHEME not in _registry:
        _registry.append(SCHEME)


class RefusedURL(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Serve app://trainee/static/<file> from the static folder; refuse any other URL."""

    def __init__(self, static_folder: str, static_url_path: str = "/static"):
        super().__init__(allowed_protocols=[SCHEME])
        self.static_folder = static_folder
        self.prefix = static_url_path.rstrip("/") + "/"

    def resolve(self, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != SCHEME or parts.netloc != "trainee" or not parts.path.startswith(self.prefix):
            raise RefusedURL(f"refused URL (only the app's static files are served): {url[:200]}")
        path = safe_join(self.static_folder, urllib.parse.unquote(parts.path[len(self.prefix):]))
        if path is None or not os.path.isfile(path):
            raise RefusedURL(f"no such static file: {url[:200]}")
        return path

    def fetch(self, url, headers=None):
        path = self.resolve(url)
        with open(path, "rb") as handle:
            body = handle.read()
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime})


def static_fetcher() -> StaticOnlyFetcher:
    return StaticOnlyFetcher(current_app.static_folder, current_app.static_url_path)


class _TextOnly(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    return "".join(parser.parts)


def render_html(person, ctx: sections.DossierContext, *, preview: bool = False, pdf: bool = False,
                **extra) -> str:
    """The dossier as HTML. Asset URLs are root-relative: the browser gets them from the app, WeasyPrint
    resolves them against app://trainee/ and StaticOnlyFetcher reads them from the static folder.
    `pdf` leaves the style sheet's link out: html_to_pdf() applies the sheet it keeps parsed."""
    asset_base = current_app.static_url_path.rstrip("/") + "/"
    # The dossier is an official record: always Chinese, also from a background job without a request.
    with force_locale("zh_CN"):
        return render_template(
            "dossiers/dossier.html", person=person, ctx=ctx, sections=sections.build(person, ctx),
            cover=sections.cover(person, ctx), preview=preview, code=format_code(ctx.code) if ctx.code else None,
            style_sheet=None if pdf else asset_base + STYLE_SHEET, **extra)


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    seconds: float
    glyphs: fonts.GlyphReport


@contextmanager
def gc_paused():
    """Suspend Python's cyclic garbage collector for one render.

    WeasyPrint allocates hundreds of thousands of boxes, styles and text objects for a long dossier;
    each allocation burst triggers collections that walk every live object (of the app as well), which
    cost about a third of the render's CPU time. Reference counting still frees what is not cyclic;
    the cycles left behind are collected as usual once the collector is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


UA_STYLE_SHEET = os.path.join(os.path.dirname(__file__), "print_ua.css")
_ua_sheet: CSS | None = None


def ua_style() -> CSS:
    """The dossier's user agent style sheet (print_ua.css), parsed once per process (WeasyPrint shares its own
    between threads the same way)."""
    global _ua_sheet
    if _ua_sheet is None:
        _ua_sheet = CSS(filename=UA_STYLE_SHEET, media_type="print")
    return _ua_sheet


class DossierHTML(HTML):
    """WeasyPrint's HTML with the dossier's trimmed user agent style sheet (print_ua.css) instead of its full
    HTML5 one, which has rules that no dossier element uses but that WeasyPrint tests against every element,
    and pseudo-elements (::marker, ::footnote-call...) whose styles it computes for every element: 0.09 s of
    CPU a reference dossier, with the same PDF bytes.

    WeasyPrint has no public option for this: `_ua_stylesheets` is the hook its own test suite overrides.
    Guarded: with form fields (not used by dossiers) WeasyPrint's sheets apply; should a WeasyPrint upgrade drop
    the hook, this override is simply not called and the full sheet applies (slower, same look);
    tests/test_dossiers.py notices either way.
    """

    def _ua_stylesheets(self, forms=False, *args, **kwargs):
        if forms or args or kwargs:
            return super()._ua_stylesheets(forms, *args, **kwargs)
        return [ua_style()]


def print_style() -> tuple[FontConfiguration, CSS]:
    """The dossier style sheet, parsed, with its fonts loaded: kept per app and thread for the next dossier.

    Parsing the sheet and loading its four fonts (WeasyPrint copies each into a temporary folder that
    fontconfig then scans) took 0.12 s a dossier (0.05 s of CPU, the rest writing 12 MB), again for each
    dossier of a batch. Pango's and fontconfig's objects are not meant to be shared between threads, hence
    one pair per thread; a changed sheet (its modification time) is parsed again.
    """
    path = os.path.join(current_app.static_folder, STYLE_SHEET)
    version = os.stat(path).st_mtime_ns
    local = current_app.extensions.setdefault("dossier_print_style", threading.local())
    kept = getattr(local, "kept", None)
    if kept is None or kept[0] != version:
        font_config = FontConfiguration()  # holds the @font-face files for as long as it lives
        css = CSS(url=BASE_URL + "static/" + STYLE_SHEET, url_fetcher=static_fetcher(), font_config=font_config,
                  media_type="print")
        local.kept = kept = (version, font_config, css)
    return kept[1], kept[2]


def html_to_pdf(html: str, *, variant: str | None = None) -> RenderedPdf:
    """Render HTML (whose asset URLs start with the static URL path) to PDF bytes, with the dossier style sheet
    (HTML from render_html(..., pdf=True) does not link it)."""
    started = time.perf_counter()
    glyphs = fonts.check_text(visible_text(html))
    font_config, style = print_style()
    options = {"pdf_variant": variant} if variant else {}
    with gc_paused():
        document = DossierHTML(string=html, base_url=BASE_URL, url_fetcher=static_fetcher(),
                        media_type="print").render(font_config=font_config, stylesheets=[style], **options)
        data = document.write_pdf(**options)
        pages = len(document.pages)
        # Dropped while the collector is still paused: the document (its pages, boxes, styles and HTML tree hold
        # reference cycles) is then garbage when the collector resumes and goes in its first, young collection.
        # Kept alive past that point, its ~37,000 objects survived into the old generations and were freed
        # only by full collections, which walk every live object of the app too.
        del document
    seconds = time.perf_counter() - started
    log.info("dossier rendered: %d pages, %d bytes, %.2fs", pages, len(data), seconds)
    return RenderedPdf(data, pages, seconds, glyphs)
