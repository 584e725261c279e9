from trainee.notifications import notify
from trainee.notifications.models import Notification


def test_notification_shows_as_unread_badge_and_opens_its_link(as_role, demo, db):
    notify(demo["trainee"].person, "test", "您的记录已通过", link="/help")
    db.session.commit()
    client = as_role("trainee")
    assert 'class="badge"' in client.get("/home").get_data(as_text=True)
    note = db.session.execute(db.select(Notification)).scalar_one()
    response = client.post(f"/notifications/{note.id}/open")
    assert response.headers["Location"].endswith("/help")
    assert 'class="badge"' not in client.get("/home").get_data(as_text=True)


def test_keyed_notifications_are_sent_once(demo, db):
    notify(demo["trainee"], "reminder", "清单即将到期", key="due:1:7")
    notify(demo["trainee"], "reminder", "清单即将到期", key="due:1:7")
    db.session.commit()
    assert db.session.execute(db.select(db.func.count(Notification.id))).scalar() == 1


def test_nobody_opens_another_users_notification(as_role, demo, db):
    notify(demo["trainee"], "test", "x", link="/help")
    db.session.commit()
    note = db.session.execute(db.select(Notification)).scalar_one()
    as_role("trainee2").post(f"/notifications/{note.id}/open")
    db.session.refresh(note)
    assert note.read_at is None
