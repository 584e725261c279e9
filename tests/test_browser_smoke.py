"""Real-browser smoke test: Debian's Chromium driven by Playwright, on the demo data."""
import pytest

from tests.conftest import ARTIFACTS, browser_login

pytestmark = pytest.mark.browser


def test_trainee_signs_in_and_sees_the_home_page(live_server, browser_page):
    page = browser_page
    browser_login(page, live_server, "trainee")
    assert page.url.endswith("/home")
    assert "李思远" in page.inner_text("main")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-trainee.png"), full_page=True)


def test_wrong_password_shows_a_chinese_message(live_server, browser_page):
    browser_login(browser_page, live_server, "trainee", "wrong-pass1")
    assert "用户名或密码不正确" in browser_page.inner_text("main")


def test_navigation_collapses_on_a_phone(live_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "hr")
    assert not page.is_visible(".mainnav")
    page.click(".nav-toggle-label")
    assert page.is_visible(".mainnav")
    page.screenshot(path=str(ARTIFACTS / "home-hr-phone.png"), full_page=True)
