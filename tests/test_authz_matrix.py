"""Every GET route × every demo role, with the expected status written down once.

A new route fails `test_every_route_is_in_the_matrix` until its row is added here.
The sample object for person routes is `trainee` (XT 第一检察部, mentee of `mentor`).
"""
import pytest

ROLES = ["anon", "admin", "hr", "hr_yuhu", "head", "mentor", "trainee", "trainee2"]


def row(admin, hr, hr_yuhu, head, mentor, trainee, trainee2, anon=302):
    return dict(anon=anon, admin=admin, hr=hr, hr_yuhu=hr_yuhu, head=head, mentor=mentor, trainee=trainee,
                trainee2=trainee2)


ALL = row(200, 200, 200, 200, 200, 200, 200)
ADMIN_ONLY = row(200, 403, 403, 403, 403, 403, 403)

# endpoint -> expected status per role. POST-only endpoints are covered by their own tests.
EXPECTED = {
    "web.index": row(302, 302, 302, 302, 302, 302, 302),
    "web.home": ALL,
    "web.help_page": ALL,
    "auth.login": row(302, 302, 302, 302, 302, 302, 302, anon=200),
    "auth.profile": ALL,
    "auth.change_password": ALL,
    "org.people_list": row(200, 200, 200, 200, 200, 403, 403),
    "org.person_detail": row(200, 200, 404, 200, 200, 200, 404),
    "org.person_new": row(200, 200, 200, 403, 403, 403, 403),
    "org.person_edit": row(200, 200, 404, 403, 403, 403, 404),
    "org.import_upload": row(200, 200, 200, 403, 403, 403, 403),
    "org.import_template": row(200, 200, 200, 403, 403, 403, 403),
    "reports.overview_page": row(200, 200, 200, 403, 403, 403, 403),
    "reports.people_xlsx": row(200, 200, 200, 403, 403, 403, 403),
    "reports.progress_xlsx": row(200, 200, 200, 403, 403, 403, 403),
    "api.reports_overview": row(200, 200, 200, 403, 403, 403, 403, anon=401),
    "admin.users": ADMIN_ONLY,
    "admin.user_new": ADMIN_ONLY,
    "admin.user_edit": ADMIN_ONLY,
    "admin.units": ADMIN_ONLY,
    "admin.unit_edit": ADMIN_ONLY,
    "admin.department_edit": ADMIN_ONLY,
    "admin.audit_log": ADMIN_ONLY,
    "notifications.inbox": ALL,
    "api.openapi_json": row(200, 200, 200, 200, 200, 200, 200, anon=200),
    "api.me": row(200, 200, 200, 200, 200, 200, 200, anon=401),
    "api.people": row(200, 200, 200, 200, 200, 403, 403, anon=401),
    # training (issue #3)
    "training.progress_page": row(200, 200, 404, 200, 200, 200, 404),
    "training.my_progress": row(404, 404, 404, 404, 404, 302, 302),
    "api.training_model": row(200, 200, 200, 200, 200, 200, 200, anon=401),
    "api.trainees": row(200, 200, 200, 200, 200, 403, 403, anon=401),
    "api.trainee_detail": row(200, 200, 404, 200, 200, 200, 404, anon=401),
    # competitions and honours (issue #6); competition_id = the city's team debate, certificate = `trainee`'s honour
    "competitions.competition_list": ALL,
    "competitions.competition_new": row(403, 200, 200, 403, 403, 403, 403),
    "competitions.competition_detail": ALL,
    "competitions.competition_edit": row(403, 200, 403, 403, 403, 403, 403),
    "competitions.bracket": ALL,
    "competitions.mine": row(404, 302, 302, 302, 302, 302, 302),
    "competitions.record": row(200, 200, 404, 200, 200, 200, 404),
    "competitions.report": row(403, 403, 404, 403, 403, 200, 404),
    "competitions.honour_new": row(403, 200, 404, 403, 403, 200, 404),
    "competitions.talent_new": row(403, 200, 404, 403, 403, 200, 404),
    "competitions.verify_queue": row(403, 200, 200, 403, 403, 403, 403),
    "competitions.certificate": row(200, 200, 404, 200, 200, 200, 404),
    "competitions.summary": row(200, 200, 200, 403, 403, 403, 403),
    "api.competitions": row(200, 200, 200, 200, 200, 200, 200, anon=401),
    "api.trainee_competitions": row(200, 200, 404, 200, 200, 200, 404, anon=401),
    # dossiers: HR in scope, the trainee, a current mentor; the job belongs to `hr` (unit XT, not finished)
    "dossiers.preview": row(403, 200, 404, 403, 200, 200, 404),
    "dossiers.pdf": row(403, 200, 404, 403, 200, 200, 404),
    "dossiers.verify": row(200, 200, 200, 200, 200, 200, 200, anon=200),
    "dossiers.batch": row(403, 200, 200, 403, 403, 403, 403),
    "dossiers.jobs": row(403, 200, 200, 403, 403, 403, 403),
    "dossiers.job": row(404, 200, 404, 404, 404, 404, 404),
    "dossiers.job_status": row(404, 200, 404, 404, 404, 404, 404),
    "dossiers.job_download": row(404, 404, 404, 404, 404, 404, 404),
    "api.trainee_dossier_pdf": row(403, 200, 404, 403, 200, 200, 404, anon=401),


    "training.career_page": row(200, 200, 404, 200, 200, 200, 404),
    "training_admin.model": ADMIN_ONLY,
    "training_admin.stage_edit": ADMIN_ONLY,
    "training_admin.transition_edit": ADMIN_ONLY,
    "training_admin.requirement_new": ADMIN_ONLY,
    "training_admin.requirement_edit": ADMIN_ONLY,
}
SKIP = {"static"}


def sample_values(demo):
    from trainee.competitions.models import Competition, Honour
    from trainee.dossiers.models import DossierJob
    from trainee.extensions import db

    trainee = demo["trainee"].person
    debate = db.session.execute(db.select(Competition.id).where(Competition.name == "全市检察机关团队论辩赛")).scalar()
    certificate = db.session.execute(db.select(Honour.certificate_id).where(Honour.person_id == trainee.id)).scalar()
    job = DossierJob(created_by_id=demo["hr"].id, scope_kind="unit", scope_id=trainee.unit_id,
                     scope_label=trainee.unit.name, unit_id=trainee.unit_id, person_ids=[trainee.id], total=1)
    db.session.add(job)
    db.session.commit()
    return {"person_id": trainee.id, "user_id": demo["trainee"].id, "unit_id": trainee.unit_id,
            "department_id": trainee.department_id, "role": "trainee", "competition_id": debate,
            "certificate_id": certificate, "job_id": job.id, "stage_id": 1, "transition_id": 1, "requirement_id": 1}


def get_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or "GET" not in rule.methods:
            continue
        yield rule


def test_every_route_is_in_the_matrix(app):
    missing = sorted({r.endpoint for r in get_routes(app)} - set(EXPECTED))
    assert not missing, f"add these endpoints to EXPECTED: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_route_statuses_match_the_matrix(app, demo, api_token, role):
    values = sample_values(demo)
    client = app.test_client()
    headers = {}
    if role != "anon":
        from tests.conftest import login

        login(client, demo[role])
        headers = api_token(role)
    failures = []
    for rule in get_routes(app):
        url = rule.build(values, append_unknown=False)[1] if rule.arguments else rule.rule
        response = client.get(url, headers=headers if rule.rule.startswith("/api/") else {})
        expected = EXPECTED[rule.endpoint][role]
        if response.status_code != expected:
            failures.append(f"{rule.endpoint} {url}: {response.status_code} != {expected}")
        if response.status_code >= 400:
            assert "Traceback" not in response.get_data(as_text=True)
    assert not failures, "\n".join(failures)
