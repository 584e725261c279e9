"""The HR overview kept between changes (reports.overview.kept): the page body and the API figures are only
served from a kept copy while it equals a fresh computation, and each scope keeps its own.

Each step changes something (in the viewer's scope, or deliberately outside it), then what is served is
compared with what is computed afresh after emptying the cache.
"""
from datetime import UTC, datetime, time, timedelta

from trainee.activities.models import Activity, ActivityStatus, ActivityType
from trainee.core.time import LOCAL_TZ, local_today
from trainee.org.models import Person, Position, Unit
from trainee.reports.overview import WAITING_DAYS, waiting_cutoff
from trainee.training.models import PromotionRequest, PromotionStatus, Transition, TransitionState, TransitionStatus


def _body(html: str) -> str:
    """The overview's own part: from its heading to the end of <main> (not the flash messages above it, nor
    the footer's language form with its CSRF token signed with the time)."""
    return html[html.find('<div class="page-head">'):html.find("</main>")]


class Kept:
    """One view of the overview (a signed-in page or an API call), served from what is kept and afresh."""

    def __init__(self, app, get):
        self.cache = app.extensions["fragments"]
        self.get = get

    def served(self):
        return self.get()

    def check(self):
        kept = self.served()
        self.cache.clear()
        fresh = self.served()
        assert kept == fresh
        return fresh

    def served_kept(self) -> bool:
        """Served without making anything (the units' figures are kept too: a view after a change in one unit
        makes that unit's figures and the page, and takes the other units' figures as kept)."""
        before = self.cache.misses
        self.served()
        return self.cache.misses == before


def page(app, client, query=""):
    def get():
        response = client.get(f"/reports/overview{query}")
        assert response.status_code == 200
        return _body(response.get_data(as_text=True))
    return Kept(app, get)


def api(app, client, headers, query=""):
    def get():
        response = client.get(f"/api/v1/reports/overview{query}", headers=headers)
        assert response.status_code == 200
        return response.get_json()
    return Kept(app, get)


def _achieve(db, person, *codes):
    for code in codes:
        transition = db.session.execute(db.select(Transition).where(Transition.code == code)).scalar_one()
        db.session.add(TransitionState(person_id=person.id, transition_id=transition.id,
                                       status=TransitionStatus.ACHIEVED, decided_on=local_today()))
    db.session.commit()


def _stage_totals(figures: dict) -> dict:
    totals: dict = {}
    for row in figures["trainees_by_stage_and_unit"]:
        for code, n in row["counts"].items():
            totals[code] = totals.get(code, 0) + n
    return totals


def test_city_overview_kept_equals_fresh_after_each_change_in_scope(app, as_role, demo, db, client, api_token):
    hr, mentor = as_role("hr"), as_role("mentor")  # signed in first: a sign-in is a write to the user's unit
    headers = api_token("hr")
    html, figures = page(app, hr), api(app, client, headers)
    html.check()
    assert html.served_kept()  # nothing changed: the kept copy is served
    figures.check()
    assert figures.served_kept()

    # The mentor approves an entry that has waited ten days: the waiting figure changes.
    person = demo["trainee"].person
    entry = db.session.execute(db.select(Activity).where(
        Activity.person_id == person.id, Activity.status == ActivityStatus.SUBMITTED)).scalars().first()
    entry.submitted_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=10)
    entry.reviewer_id = demo["mentor"].person_id
    db.session.commit()
    waiting = figures.check()["entries_waiting_over_7_days_by_mentor"]
    html.served()
    assert mentor.post(f"/activities/{entry.id}/approve", data={"version": entry.version}).status_code == 302
    assert not html.served_kept() and not figures.served_kept()
    html.check()
    assert figures.check()["entries_waiting_over_7_days_by_mentor"] != waiting

    # A promotion recommended: one more waits for HR.
    _achieve(db, person, "T4", "T5", "T6")
    before = figures.check()
    assert mentor.post(f"/trainees/{person.id}/promotion/recommend", data={"comment": "推荐"}).status_code == 302
    recommended = figures.check()
    assert recommended["promotions_pending"] == before["promotions_pending"] + 1
    html.check()

    # HR approves it, then looks again: the stage distribution shows the promotion at once.
    request = db.session.execute(db.select(PromotionRequest).where(
        PromotionRequest.person_id == person.id, PromotionRequest.status == PromotionStatus.RECOMMENDED)).scalar_one()
    assert hr.post(f"/promotions/{request.id}/decide",
                   data={"decision": "approve", "decide-on_date": local_today().isoformat()}).status_code == 302
    approved = figures.check()
    assert approved["promotions_pending"] == before["promotions_pending"]
    totals, totals_before = _stage_totals(approved), _stage_totals(recommended)
    assert (totals["S2"], totals["S3"]) == (totals_before["S2"] - 1, totals_before["S3"] + 1)
    html.check()

    # A trainee moves to another unit: both units' counts change.
    yuhu = db.session.execute(db.select(Unit).where(Unit.code == "YH")).scalar_one()
    moving = demo["trainee2"].person
    counts = {r["unit"]["code"]: r["trainees"] for r in approved["people_by_unit"]}
    moving.unit_id = yuhu.id
    db.session.commit()
    moved = {r["unit"]["code"]: r["trainees"] for r in figures.check()["people_by_unit"]}
    assert moved["YH"] == counts["YH"] + 1 and moved["XT"] == counts["XT"] - 1
    html.check()


def test_district_hr_keeps_their_copy_while_other_units_change(app, as_role, demo, db, client, api_token):
    hr, district, mentor = as_role("hr"), as_role("hr_yuhu"), as_role("mentor")
    city_page, district_page = page(app, hr), page(app, district)
    district_api = api(app, client, api_token("hr_yuhu"))
    for view in (city_page, district_page, district_api):
        view.check()
    for view in (city_page, district_page, district_api):  # all three kept at once (check() empties the cache)
        view.served()

    # An entry at the city procuratorate (outside 雨湖) is approved: the district's copies stay valid.
    person = demo["trainee"].person
    entry = db.session.execute(db.select(Activity).where(
        Activity.person_id == person.id, Activity.status == ActivityStatus.SUBMITTED)).scalars().first()
    assert mentor.post(f"/activities/{entry.id}/approve", data={"version": entry.version}).status_code == 302
    assert district_page.served_kept() and district_api.served_kept()
    assert not city_page.served_kept()
    city_page.check()

    # An approved entry this quarter for a 雨湖 trainee: the district's copy is recomputed, and right.
    yuhu = db.session.execute(db.select(Unit).where(Unit.code == "YH")).scalar_one()
    theirs = db.session.execute(db.select(Person).where(Person.unit_id == yuhu.id,
                                                        Person.position == Position.ASSISTANT)).scalars().first()
    idle = district_api.check()["no_approved_activity_this_quarter"]["total"]
    district_page.served()
    kind = db.session.execute(db.select(ActivityType)).scalars().first()
    db.session.add(Activity(person_id=theirs.id, type_id=kind.id, date=local_today(), title="本季度",
                            status=ActivityStatus.APPROVED))
    db.session.commit()
    assert not district_page.served_kept()
    district_page.check()
    assert district_api.check()["no_approved_activity_this_quarter"]["total"] in (idle, idle - 1)


def test_each_scope_has_its_own_kept_copy(app, as_role, demo, db, client, api_token):
    hr, district = as_role("hr"), as_role("hr_yuhu")
    city = page(app, hr).check()
    assert "韶山市院" in city
    kept_district = page(app, district).served()  # the city's copy is kept; the district's is its own
    assert "韶山市院" not in kept_district and "雨湖区院" in kept_district
    assert [u["code"] for u in api(app, client, api_token("hr")).served()["units"]] != ["YH"]
    assert [u["code"] for u in api(app, client, api_token("hr_yuhu")).served()["units"]] == ["YH"]
    # City HR narrowed to 雨湖 sees the district's figures, with their own unit picker.
    yuhu = db.session.execute(db.select(Unit).where(Unit.code == "YH")).scalar_one()
    narrowed = page(app, hr, f"?unit={yuhu.id}").check()
    assert "韶山市院" in narrowed and narrowed != kept_district  # the picker lists the city's units
    assert (api(app, client, api_token("hr"), "?unit=YH").served()
            == api(app, client, api_token("hr_yuhu")).served())


def test_units_are_listed_parents_first_then_in_the_order_they_were_set_up(app, demo, db, as_role):
    city = db.session.execute(db.select(Unit).where(Unit.parent_id.is_(None))).scalar_one()
    for i in range(12):  # enough districts for ids of two digits: /1/12/ must not come before /1/2/
        unit = Unit(code=f"Q{i:02d}", name=f"测试{i}", short_name=f"排序{i:02d}院", level=city.children[0].level,
                    parent_id=city.id)
        db.session.add(unit)
        db.session.flush()
        unit.path = f"{city.path}{unit.id}/"
    db.session.commit()
    html = page(app, as_role("hr")).check()
    body = html[html.find("在培检察官助理"):]
    positions = [body.index(f"排序{i:02d}院") for i in range(12)]
    assert positions == sorted(positions) and body.index("湘潭市院") < positions[0]


def test_waiting_over_seven_days_is_counted_by_date_not_by_hour():
    today = local_today()
    cutoff = waiting_cutoff(today).replace(tzinfo=UTC).astimezone(LOCAL_TZ)
    # The first day that is not counted is exactly WAITING_DAYS before today, from its first moment.
    assert cutoff.time() == time.min and (today - cutoff.date()).days == WAITING_DAYS
    last_counted = cutoff - timedelta(microseconds=1)
    assert (today - last_counted.date()).days == WAITING_DAYS + 1


def test_after_a_change_in_one_unit_only_that_units_figures_are_made_again(app, as_role, demo, db):
    html = page(app, as_role("hr"))
    html.check()
    cache = app.extensions["fragments"]
    mine = db.session.execute(db.select(Activity).where(Activity.person_id == demo["trainee"].person_id)).scalars().first()
    mine.title = mine.title + "。"
    db.session.commit()
    before = cache.misses
    html.served()
    assert cache.misses - before == 2  # the page body, and the figures of the trainee's unit (of six)
    html.check()  # put together from five kept units and one made again: the same as all made afresh


def test_values_kept_each_by_its_own_counter_are_made_again_only_where_it_moved(app, demo, db):
    from trainee.core.freshness import FragmentCache, unit_key

    cache, made = FragmentCache(), []

    def make(keys):
        made.append(sorted(keys))
        return {k: f"{k[1]}@{len(made)}" for k in keys}
    mine, theirs = demo["trainee"].person.unit_id, demo["hr_yuhu"].unit_id
    keys = {("unit", mine): unit_key(mine), ("unit", theirs): unit_key(theirs)}
    first = cache.get_or_make_each(keys, make)
    assert cache.get_or_make_each(keys, make) == first and len(made) == 1

    entry = db.session.execute(db.select(Activity).where(Activity.person_id == demo["trainee"].person_id)).scalars().first()
    entry.title = entry.title + "。"
    db.session.commit()
    second = cache.get_or_make_each(keys, make)
    assert made[-1] == [("unit", mine)]
    assert second[("unit", theirs)] == first[("unit", theirs)] and second[("unit", mine)] != first[("unit", mine)]
