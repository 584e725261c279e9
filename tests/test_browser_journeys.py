"""Journeys in a real browser (Debian's Chromium through Playwright) on the demo data."""
import re
from datetime import date

import pytest

from tests.conftest import ARTIFACTS, browser_login

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_out(page):
    page.click("form[action$='/logout'] button")
    page.wait_for_load_state()


def points_this_year(page, base) -> float:
    page.goto(f"{base}/home")
    text = page.locator("section", has_text="年度积分").locator(".stat").first.inner_text()
    return float(re.match(r"[-\d.]+", text.strip()).group(0))


def simple_cases(page, base, person_id) -> str:
    page.goto(f"{base}/trainees/{person_id}/progress")
    return re.search(r"(\d+) / 10 简单案件", page.inner_text("main")).group(1)


def test_trainee_logs_an_entry_with_evidence_mentor_approves_it_from_the_queue(live_server, browser_page, demo,
                                                                               tmp_path):
    page, base = browser_page, live_server
    page.on("dialog", lambda dialog: dialog.accept())
    person_id = demo["trainee"].person_id
    evidence = tmp_path / "审查报告.pdf"
    evidence.write_bytes(PDF)

    browser_login(page, base, "trainee")
    points_before = points_this_year(page, base)
    done_before = int(simple_cases(page, base, person_id))
    page.click("nav.mainnav >> text=工作纪实")
    page.click("text=登记工作纪实")
    page.select_option("#type", "SIMPLE_CASE")
    page.select_option("#transition", "T4")
    page.fill("#title", "<b>")
    page.locator("#title").blur()
    assert "尖括号" in page.inner_text("form[data-live-validate]")  # the form answers while typing
    page.fill("#title", "指导下办理马某危险驾驶案（浏览器）")
    page.fill("#description", "审查血液酒精含量鉴定意见，听取辩护人意见。")
    page.fill("#case_no", "潭检刑诉〔2026〕200号")
    page.fill("#hours", "5")
    page.set_input_files("#files", str(evidence))
    page.check("#no_classified_confirmed")
    page.click("button[name=save_submit]")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "已提交，等待导师审核" in main and "待审核" in main and "审查报告.pdf" in main
    sign_out(page)

    browser_login(page, base, "mentor")
    assert "待审核的工作纪实" in page.inner_text("main")
    page.click("nav.mainnav >> text=待审核")
    row = page.locator("tr", has_text="指导下办理马某危险驾驶案（浏览器）")
    assert "审查报告.pdf" in row.inner_text()
    row.locator("input[name=ids]").check()
    page.click("text=批量通过所选")
    page.wait_for_load_state()
    assert "已批量通过 1 条记录" in page.inner_text("main")
    assert "马某危险驾驶案" not in page.inner_text("main")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "activities-queue-mentor.png"), full_page=True)
    sign_out(page)

    browser_login(page, base, "trainee")
    page.click("nav.mainnav >> text=工作纪实")
    row = page.locator("tr", has_text="指导下办理马某危险驾驶案（浏览器）")
    assert "已通过" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_load_state()
    assert "审核通过" in page.inner_text("main") and "陈志刚" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "activity-approved-trainee.png"), full_page=True)
    assert int(simple_cases(page, base, person_id)) == done_before + 1
    assert points_this_year(page, base) == points_before + 3


def test_hr_finds_a_mentor_by_typing_and_assigns_them_with_the_keyboard(live_server, browser_page, demo, db):
    page, base = browser_page, live_server
    mentor = demo["mentor02"].person
    mentor.mentor_capacity = 10
    db.session.commit()
    browser_login(page, base, "hr")

    page.goto(f"{base}/people/?q=李思远")
    page.locator("#bulk-mentor").press_sequentially(mentor.name[1:], delay=30)
    option = page.locator("#bulk-mentor-list [role=option]", has_text=mentor.staff_no)
    option.wait_for()
    assert page.get_attribute("#bulk-mentor", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#bulk-mentor", "aria-activedescendant") == option.get_attribute("id")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "people-mentor-picker.png"), full_page=True)
    page.keyboard.press("Enter")
    assert page.input_value("#bulk-mentor").startswith(f"{mentor.name} {mentor.staff_no}（")
    assert page.input_value("#bulk input[name=mentor_id]") == str(mentor.id)
    assert page.is_hidden("#bulk-mentor-list")

    page.check("input[name=person_ids]")
    page.fill("#start_date", date.today().isoformat())
    page.fill("#reason", "导师调整（浏览器）")
    page.click("#bulk button[type=submit]:not([formaction])")
    page.wait_for_load_state()
    assert f"已为 1 人分配带教导师 {mentor.name}" in page.inner_text("main")

    page.locator("#mentor-filter").press_sequentially(mentor.staff_no, delay=30)
    page.locator("#mentor-filter-list [role=option]").first.wait_for()
    page.keyboard.press("Escape")  # closes the list, keeps the text
    assert page.is_hidden("#mentor-filter-list") and page.input_value("#mentor-filter") == mentor.staff_no
    page.keyboard.press("ArrowDown")  # opens it again
    page.locator("#mentor-filter-list [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert f"mentor={mentor.id}" in page.url and "mentor_q" not in page.url
    assert "李思远" in page.inner_text("main")
    assert page.input_value("#mentor-filter").startswith(f"{mentor.name} {mentor.staff_no}（")
