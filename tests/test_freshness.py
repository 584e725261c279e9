"""Kept home widgets (core/freshness): a kept copy is only ever served while it equals a fresh rendering.

Each step changes something the trainee's home shows (or deliberately something it does not), then the
home page served from the kept copy is compared with one rendered afresh after emptying the cache.
"""
import re

import trainee.training.models  # noqa: F401  (Activity refers to Transition by name)
from trainee.activities.models import Activity, ActivityStatus, ActivityType, Evidence
from trainee.core.freshness import SHARED, ChangeCounter, counters, person_key, unit_key
from trainee.notifications.models import Notification
from trainee.org.models import Person, Unit


def _main(html: str) -> str:
    """The page's main part without the one-time flash messages and the CSRF tokens (signed with the time: a
    kept part carries those of its first rendering, just as valid)."""
    main = html[html.find("<main"):html.find("</main>")]
    main = _without_tokens(re.sub(r'<div class="flash flash-\w+" role="\w+">[^<]*</div>', "", main))
    return re.sub(r"\s+", " ", main)


class Home:
    """The trainee's home page, served twice: from what is kept, then rendered afresh."""

    def __init__(self, app, client):
        self.cache = app.extensions["fragments"]
        self.client = client

    def served(self) -> str:
        return _main(self.client.get("/home").get_data(as_text=True))

    def check(self) -> str:
        kept = self.served()
        self.cache.clear()
        fresh = self.served()
        assert kept == fresh
        return fresh

    def hits_after_get(self) -> int:
        before = self.cache.hits
        self.served()
        return self.cache.hits - before


def _pending_activity(db, person, title_part):
    return db.session.execute(db.select(Activity).where(
        Activity.person_id == person.id, Activity.status == ActivityStatus.SUBMITTED,
        Activity.title.contains(title_part))).scalar_one()


def test_kept_home_equals_fresh_after_every_kind_of_change(app, as_role, demo, db):
    trainee, mentor = as_role("trainee"), as_role("mentor")
    home = Home(app, trainee)
    person = demo["trainee"].person
    first = home.check()
    assert home.hits_after_get() == 1  # nothing changed: served from the kept copy

    # The mentor approves an entry: the trainee's own counter moves, the page changes.
    activity = _pending_activity(db, person, "不起诉决定书")
    assert mentor.post(f"/activities/{activity.id}/approve", data={"version": activity.version}).status_code == 302
    assert home.hits_after_get() == 0
    after_approval = home.check()
    assert after_approval != first

    # The mentor's name shows on the trainee's page (sign-offs): a person's own row moves the shared counter.
    mentor_person = db.session.get(Person, demo["mentor"].person_id)
    mentor_person.name = "陈志强"
    db.session.commit()
    renamed = home.check()
    assert "陈志强" in renamed and "陈志刚" not in renamed

    # Reference data (an activity type's name) is everyone's: shared counter.
    kind = db.session.execute(db.select(ActivityType).where(ActivityType.name == "审查报告")).scalar_one()
    kind.name = "审查报告（含阅卷笔录）"
    db.session.commit()
    assert "审查报告（含阅卷笔录）" in home.check()

    # A row that hangs off the trainee's entry (evidence) moves the entry owner's counter.
    before = counters(person_key(person.id))
    draft = db.session.execute(db.select(Activity).where(Activity.person_id == person.id)).scalars().first()
    db.session.add(Evidence(activity_id=draft.id, original_name="a.pdf", stored_name="freshness-test.pdf",
                            size=1, sha256="0" * 64, content_type="application/pdf"))
    db.session.commit()
    after = counters(person_key(person.id))
    assert after[0] == before[0] and after[1] == before[1] + 1
    home.check()


def test_sign_in_bookkeeping_moves_no_counter(app, client, demo, db):
    from trainee.auth.models import User

    trainee = demo["trainee"]
    hr = next(u for u in demo.values() if u.person_id is None)  # an account without a person (admin)
    before = counters(person_key(trainee.person_id), unit_key(trainee.unit_id), unit_key(hr.unit_id))
    for username in (hr.username, "trainee"):
        response = client.post("/login", data={"username": username, "password": "demo1234"})
        assert response.status_code == 302
        client.post("/logout")
    assert db.session.get(User, hr.id).last_login_at is not None
    assert counters(person_key(trainee.person_id), unit_key(trainee.unit_id), unit_key(hr.unit_id)) == before
    db.session.get(User, hr.id).locale = "en"  # not bookkeeping: moves the shared counter
    db.session.commit()
    assert counters()[0] == before[0] + 1


def test_a_persons_change_moves_their_units_counter_only(app, demo, db):
    person, elsewhere = demo["trainee"].person, demo["hr_yuhu"]
    assert elsewhere.unit_id != person.unit_id
    before = counters(unit_key(person.unit_id), unit_key(elsewhere.unit_id))
    mine = db.session.execute(db.select(Activity).where(Activity.person_id == person.id)).scalars().first()
    mine.title = mine.title + "。"
    db.session.commit()
    after = counters(unit_key(person.unit_id), unit_key(elsewhere.unit_id))
    assert after == (before[0], before[1] + 1, before[2])


def test_counters_move_only_for_whose_data_changed(app, as_role, demo, db):
    trainee = as_role("trainee")
    home = Home(app, trainee)
    person, other = demo["trainee"].person, demo["trainee2"].person
    home.check()

    # Another trainee's entry is approved: this trainee's kept copy stays valid.
    mentor = as_role("mentor")
    theirs = db.session.execute(db.select(Activity).where(
        Activity.person_id == other.id, Activity.status == ActivityStatus.SUBMITTED)).scalars().first()
    if theirs is not None:
        assert mentor.post(f"/activities/{theirs.id}/approve", data={"version": theirs.version}).status_code == 302
    else:  # the demo may have nothing waiting for trainee2: change one of their entries directly
        theirs = db.session.execute(db.select(Activity).where(Activity.person_id == other.id)).scalars().first()
        theirs.title = theirs.title + "（改）"
        db.session.commit()
    assert home.hits_after_get() == 1

    # A notification moves no counter; the page is kept per unread count (the badge in the menu).
    before = counters(person_key(person.id))
    badge = re.search(r'<span class="badge"[^>]*>(\d+)</span>', trainee.get("/home").get_data(as_text=True))
    db.session.add(Notification(user_id=demo["trainee"].id, kind="test", text="测试通知", link="/home"))
    db.session.commit()
    assert counters(person_key(person.id)) == before
    assert home.hits_after_get() == 0
    page = trainee.get("/home").get_data(as_text=True)
    assert re.search(r'<span class="badge"[^>]*>(\d+)</span>', page).group(1) == str(int(badge.group(1)) + 1 if badge else 1)
    assert home.hits_after_get() == 1

    # A change rolled back moves nothing.
    mine = db.session.execute(db.select(Activity).where(Activity.person_id == person.id)).scalars().first()
    mine.title = "不会保存"
    db.session.flush()
    db.session.rollback()
    assert counters(person_key(person.id)) == before

    # An UPDATE statement that bypasses the flush moves the shared counter (whose rows it touched is unknown).
    shared = counters()[0]
    db.session.execute(db.update(Unit).where(Unit.id == person.unit_id).values(name=Unit.name))
    db.session.commit()
    assert counters()[0] == shared + 1
    assert home.hits_after_get() == 0
    home.check()


def test_counters_table_is_written_in_the_same_transaction(app, demo, db):
    person = demo["trainee"].person
    mine = db.session.execute(db.select(Activity).where(Activity.person_id == person.id)).scalars().first()
    before = counters(person_key(person.id))
    mine.title = mine.title + "。"
    db.session.commit()
    row = db.session.get(ChangeCounter, person_key(person.id))
    assert row is not None and counters(person_key(person.id))[1] == before[1] + 1
    assert db.session.get(ChangeCounter, SHARED) is None or counters()[0] == before[0]


def test_cache_keeps_within_its_memory_budget(app, demo):
    from trainee.core.freshness import FragmentCache

    cache = FragmentCache(max_bytes=2 * (2 * 1000 + 200))  # room for two fragments of 1,000 characters
    keys = [person_key(demo["trainee"].person_id)]
    for i in range(5):
        assert cache.get_or_make(("k", i), keys, lambda i=i: str(i) * 1000) == str(i) * 1000
    assert len(cache) == 2 and cache.misses == 5 and cache.bytes <= cache.max_bytes
    assert cache.get_or_make(("k", 4), keys, lambda: "never") == "4" * 1000 and cache.hits == 1
    assert cache.get_or_make(("k", 0), keys, lambda: "again") == "again"  # the oldest went first


def _without_tokens(html: str) -> str:
    """A whole page without its CSRF tokens (a kept page carries those of its first rendering, just as valid)."""
    return re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]+"', "", html)


def test_whole_home_page_kept_but_never_with_a_flash_message(app, as_role, demo, db):
    trainee = as_role("trainee")
    cache = app.extensions["fragments"]
    trainee.get("/home")  # a new session gets its CSRF secret on its first page
    first = trainee.get("/home").get_data(as_text=True)
    hits = cache.hits
    again = trainee.get("/home").get_data(as_text=True)
    assert cache.hits == hits + 1 and again == first  # the very same bytes, tokens included
    cache.clear()
    assert _without_tokens(trainee.get("/home").get_data(as_text=True)) == _without_tokens(first)

    with trainee.session_transaction() as session:  # a message waiting to be shown once
        session["_flashes"] = [("success", "已保存。")]
    with_flash = trainee.get("/home").get_data(as_text=True)
    assert "已保存。" in with_flash and cache.hits == hits + 1
    assert "已保存。" not in trainee.get("/home").get_data(as_text=True)

    other = as_role("trainee")  # another session of the same account: its own tokens, never the first's
    theirs = other.get("/home").get_data(as_text=True)
    with other.session_transaction() as session:
        secret = session.get("csrf_token")
    with trainee.session_transaction() as session:
        assert secret is None or secret != session.get("csrf_token")
    assert _without_tokens(theirs) == _without_tokens(first)


def _kept_then_fresh(app, client, path, part=_main):
    kept = client.get(path)
    app.extensions["fragments"].clear()
    fresh = client.get(path)
    assert kept.status_code == fresh.status_code
    if kept.is_json:
        assert kept.get_json() == fresh.get_json()
        return fresh.get_json()
    assert part(kept.get_data(as_text=True)) == part(fresh.get_data(as_text=True))
    return part(fresh.get_data(as_text=True))


def test_progress_page_and_api_detail_kept_equal_fresh(app, as_role, demo, db, api_token):
    from trainee.mentoring.models import MentorAssignment

    trainee, mentor = as_role("trainee"), as_role("mentor")
    person = demo["trainee"].person
    page, api = f"/trainees/{person.id}/progress", f"/api/v1/trainees/{person.id}"
    headers = api_token("hr")
    views = {"trainee": _kept_then_fresh(app, trainee, page), "mentor": _kept_then_fresh(app, mentor, page)}
    assert views["trainee"] != views["mentor"]  # each viewer their own buttons (kept per viewer)
    first_api = app.test_client().get(api, headers=headers).get_json()

    activity = _pending_activity(db, person, "交通肇事")
    assert mentor.post(f"/activities/{activity.id}/approve", data={"version": activity.version}).status_code == 302
    client = app.test_client()
    assert _kept_then_fresh(app, trainee, page) != views["trainee"]
    assert client.get(api, headers=headers).get_json() != first_api  # the approval shows in the API at once
    app.extensions["fragments"].clear()
    assert client.get(api, headers=headers).get_json() == client.get(api, headers=headers).get_json()

    # The mentoring ends: the former mentor's kept view (buttons to sign) must not outlive it.
    mentor_view = _kept_then_fresh(app, mentor, page)
    assignment = db.session.execute(db.select(MentorAssignment).where(
        MentorAssignment.trainee_id == person.id, MentorAssignment.mentor_id == demo["mentor"].person_id,
        MentorAssignment.end_date.is_(None))).scalars().first()
    assignment.end_date = assignment.start_date
    db.session.commit()
    response = mentor.get(page)
    assert response.status_code == 200  # a past mentor still reads the record
    assert _main(response.get_data(as_text=True)) != mentor_view
    assert "您曾是此人的导师" in _kept_then_fresh(app, mentor, page)


def test_counters_read_with_the_user_answer_until_the_request_commits(app, demo, db):
    """web.load_user reads the shared counter and the user's own with the user; kept pages of one's own then ask
    no query. Once the request commits a change, they are forgotten and read again."""
    from trainee.core.freshness import note_read_with_user

    person = db.session.get(Person, demo["trainee"].person_id)
    with app.test_request_context("/home"):
        note_read_with_user(person.id, -1, -1)  # impossible values: they can only come from what was noted
        assert counters(person_key(person.id)) == (-1, -1)
        assert counters(person_key(person.id), unit_key(person.unit_id))[2] >= 0  # one it has not: read
        before = db.session.get(ChangeCounter, SHARED)
        before = before.version if before else 0
        person.rank = "四级检察官助理"  # a person's own row (shown on others' pages): the shared counter moves
        db.session.commit()
        assert counters(person_key(person.id))[0] == before + 1
