"""Every route (pages and API, every method) × every demo role × in-scope and out-of-scope objects, with the
expected status written down once.

- EXPECTED: GET routes on the sample object. A new GET route fails `test_every_route_is_in_the_matrix` until its
  row is added here. The sample object for person routes is `trainee` (XT 第一检察部, mentee of `mentor`).
- EXPECTED_WRITE: every POST/PUT/PATCH/DELETE route, sent an empty form (pages) or `{}` (API) on the sample object
  by a fresh client per request. A role that may act gets its validation answer (200 with the form again, 302,
  409 or 422); one that may not gets 401/403/404 and nothing is written (no new audit entry).
  A new write route fails `test_every_write_route_is_in_the_matrix` until its row is added.
- SIGHT: which of the other people each role may see (written once). Every route with a `person_id` is also called
  on each of them: out of sight means refused (403/404) with none of that person's data in the body; in sight means
  the route's own row applies, unless OBJECT_OVERRIDES says otherwise (e.g. a former mentee is read-only).
"""
import pytest

from tests.conftest import login

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
    "org.mentor_search": row(403, 200, 200, 200, 403, 403, 403),  # the people list's mentor picker, in scope
    "org.person_detail": row(200, 200, 404, 200, 200, 200, 404),
    "org.person_new": row(200, 200, 200, 403, 403, 403, 403),
    "org.person_edit": row(200, 200, 404, 403, 403, 403, 404),
    "org.import_upload": row(200, 200, 200, 403, 403, 403, 403),
    "org.import_template": row(200, 200, 200, 403, 403, 403, 403),
    "reports.overview_page": row(200, 200, 200, 403, 403, 403, 403),
    "reports.waiting_reviews": row(200, 200, 200, 403, 403, 403, 403),
    "reports.people_xlsx": row(200, 200, 200, 403, 403, 403, 403),
    "reports.progress_xlsx": row(200, 200, 200, 403, 403, 403, 403),
    "reports.points_xlsx": row(200, 200, 200, 403, 403, 403, 403),
    "reports.evaluation_xlsx": row(404, 200, 404, 404, 404, 404, 404),
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
    # points
    "points.mine": row(302, 302, 302, 302, 302, 302, 302),
    "points.person_points": row(200, 200, 404, 200, 200, 200, 404),
    "points.negative_list": row(403, 200, 200, 200, 403, 403, 403),
    "points.negative_new": row(403, 200, 200, 200, 403, 403, 403),
    "points.negative_detail": row(200, 200, 404, 200, 200, 200, 404),
    "points.rules": row(200, 200, 200, 403, 403, 403, 403),
    "points.rule_set": row(200, 200, 200, 403, 403, 403, 403),
    "points.rules_new": ADMIN_ONLY,
    "api.trainee_points": row(200, 200, 404, 200, 200, 200, 404, anon=401),
    # training (issue #3)
    "training.progress_page": row(200, 200, 404, 200, 200, 200, 404),
    "training.my_progress": row(404, 404, 404, 404, 404, 302, 302),
    "api.training_model": row(200, 200, 200, 200, 200, 200, 200, anon=401),
    "api.trainees": row(200, 200, 200, 200, 200, 403, 403, anon=401),
    "api.trainee_detail": row(200, 200, 404, 200, 200, 200, 404, anon=401),
    # evaluation
    "evaluation.index": ALL,
    "evaluation.cycle_new": row(403, 200, 200, 403, 403, 403, 403),
    "evaluation.cycle_detail": row(404, 200, 404, 404, 404, 404, 404),
    "evaluation.evaluation_detail": row(404, 200, 404, 200, 200, 200, 404),
    "evaluation.quarter_overview": row(403, 200, 200, 200, 403, 403, 403),
    "evaluation.quarter_person": row(200, 200, 404, 200, 200, 200, 404),
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
    # progress log (工作纪实); the sample entry is `trainee`'s submitted one with a scan, waiting for `mentor`
    "activities.mine": row(404, 404, 404, 404, 404, 200, 200),
    "activities.new": row(403, 403, 403, 403, 403, 200, 200),
    "activities.person_list": row(200, 200, 404, 200, 200, 200, 404),
    "activities.detail": row(200, 200, 404, 200, 200, 200, 404),
    "activities.edit": row(403, 403, 404, 403, 403, 302, 404),  # submitted: the owner is sent back to the entry
    "activities.evidence": row(200, 200, 404, 200, 200, 200, 404),
    "activities.review_queue": row(403, 403, 403, 200, 200, 403, 403),
    "api.activities": row(422, 422, 422, 422, 422, 200, 200, anon=401),  # without person_id: one's own log
    "api.trainee_activities": row(200, 200, 404, 200, 200, 200, 404, anon=401),
    "api.activity_detail": row(200, 200, 404, 200, 200, 200, 404, anon=401),
    "training_admin.model": ADMIN_ONLY,
    "training_admin.stage_edit": ADMIN_ONLY,
    "training_admin.transition_edit": ADMIN_ONLY,
    "training_admin.requirement_new": ADMIN_ONLY,
    "training_admin.requirement_edit": ADMIN_ONLY,
    # dual-study checklist (issue #4): the sample assignment is one of `trainee`'s pending items; items are managed
    # by HR or admin of the city (the top-level unit), district HR reads them
    "checklists.mine": row(404, 404, 404, 404, 404, 302, 302),
    "checklists.person_page": row(200, 200, 404, 200, 200, 200, 404),
    "checklists.assignment_page": row(200, 200, 404, 200, 200, 200, 404),
    "checklists.attachment": row(404, 404, 404, 404, 404, 404, 404),
    "checklists.mentees": row(403, 403, 403, 200, 200, 403, 403),
    "checklists.items": row(200, 200, 200, 403, 403, 403, 403),
    "checklists.item_new": row(200, 200, 403, 403, 403, 403, 403),
    "checklists.item_edit": row(200, 200, 403, 403, 403, 403, 403),
    "checklists.completion": row(200, 200, 200, 403, 403, 403, 403),
    "checklists.completion_xlsx": row(200, 200, 200, 403, 403, 403, 403),
    "api.trainee_checklist": row(200, 200, 404, 200, 200, 200, 404, anon=401),
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
    values = {"person_id": trainee.id, "user_id": demo["trainee"].id, "unit_id": trainee.unit_id,
              "department_id": trainee.department_id, "role": "trainee", "competition_id": debate,
              "certificate_id": certificate, "job_id": job.id, "stage_id": 1, "transition_id": 1,
              "requirement_id": 1}
    from trainee.evaluation.models import Evaluation
    from trainee.points.models import NegativeRecord, RuleSet

    values["record_id"] = db.session.execute(db.select(NegativeRecord.id).where(
        NegativeRecord.person_id == trainee.id).limit(1)).scalar_one()
    values["rule_set_id"] = db.session.execute(db.select(RuleSet.id).limit(1)).scalar_one()
    evaluation = db.session.execute(db.select(Evaluation).where(Evaluation.person_id == trainee.id)).scalars().first()
    values["evaluation_id"], values["cycle_id"] = evaluation.id, evaluation.cycle_id
    values.update(activity_values(demo))
    from trainee.checklists.models import AssignmentStatus, ChecklistAssignment

    values["assignment_id"] = db.session.execute(db.select(ChecklistAssignment.id).where(
        ChecklistAssignment.person_id == trainee.id, ChecklistAssignment.status == AssignmentStatus.PENDING)
        .order_by(ChecklistAssignment.id).limit(1)).scalar_one()
    values["item_id"] = 1
    return values


def activity_values(demo) -> dict:
    """progress log: `trainee`'s submitted entry that has evidence, and that evidence."""
    from trainee.activities.models import Activity, ActivityStatus, Evidence
    from trainee.extensions import db

    evidence = db.session.execute(db.select(Evidence).join(Activity).where(
        Activity.person_id == demo["trainee"].person_id, Activity.status == ActivityStatus.SUBMITTED)
        .order_by(Evidence.id)).scalars().first()
    return {"activity_id": evidence.activity_id, "evidence_id": evidence.id}


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


# --- write routes (POST/PUT/PATCH/DELETE) ------------------------------------------------------------
# endpoint -> expected status per role for an empty submission on the sample object. The API gets `{}`.
FORM_AGAIN = row(200, 200, 200, 200, 200, 200, 200)  # signed in: the form comes back with its errors
EXPECTED_WRITE = {
    "auth.login": row(302, 302, 302, 302, 302, 302, 302, anon=200),
    "auth.logout": row(302, 302, 302, 302, 302, 302, 302, anon=302),
    "auth.change_password": FORM_AGAIN,
    "auth.create_token": row(302, 302, 302, 302, 302, 302, 302),  # "fill in a name" flash; no token made
    "auth.revoke_token": row(404, 404, 404, 404, 404, 302, 404),  # the sample token is `trainee`'s own
    "web.set_language": row(302, 302, 302, 302, 302, 302, 302, anon=302),
    "notifications.open_note": row(302, 302, 302, 302, 302, 302, 302),  # someone else's note: back to inbox
    "notifications.read_all": row(302, 302, 302, 302, 302, 302, 302),
    "org.person_new": row(200, 200, 200, 403, 403, 403, 403),
    "org.person_edit": row(200, 200, 404, 403, 403, 403, 404),
    "org.bulk_assign_mentor": row(403, 422, 422, 403, 403, 403, 403),
    "org.import_upload": row(422, 422, 422, 403, 403, 403, 403),
    "org.import_commit": row(302, 302, 302, 403, 403, 403, 403),
    "admin.user_new": ADMIN_ONLY,
    "admin.user_edit": ADMIN_ONLY,
    "admin.unit_edit": ADMIN_ONLY,
    "admin.department_edit": ADMIN_ONLY,
    "api.create_token": row(422, 422, 422, 422, 422, 422, 422, anon=422),
    # competitions (an empty person_id is a 422 before the person's scope can be checked; test_object_level sends
    # real ids of people out of scope)
    "competitions.add_entry": row(422, 422, 422, 422, 422, 422, 422),
    "competitions.add_match": row(403, 422, 403, 403, 403, 403, 403),
    "competitions.add_member": row(422, 422, 422, 422, 422, 422, 422),
    "competitions.amend_result": row(403, 302, 404, 403, 403, 403, 404),
    "competitions.close_record": row(403, 302, 404, 403, 403, 403, 404),
    "competitions.competition_edit": row(403, 200, 403, 403, 403, 403, 403),
    "competitions.competition_new": row(403, 200, 200, 403, 403, 403, 403),
    "competitions.correct_result": row(403, 422, 403, 403, 403, 403, 403),
    "competitions.create_team": row(403, 422, 403, 403, 403, 403, 403),
    "competitions.honour_new": row(403, 422, 404, 403, 403, 422, 404),
    "competitions.match_outcome": row(403, 422, 403, 403, 403, 403, 403),
    "competitions.record_result": row(403, 422, 403, 403, 403, 403, 403),
    "competitions.reject_result": row(403, 302, 404, 403, 403, 403, 404),
    "competitions.report": row(403, 403, 404, 403, 403, 422, 404),
    "competitions.set_coach": row(403, 422, 403, 403, 403, 403, 403),
    "competitions.talent_new": row(403, 422, 404, 403, 403, 422, 404),
    "competitions.team_correct": row(403, 422, 403, 403, 403, 403, 403),
    "competitions.team_result": row(403, 422, 403, 403, 403, 403, 403),
    "competitions.verify_record": row(403, 302, 404, 403, 403, 403, 404),
    "competitions.verify_result": row(403, 302, 404, 403, 403, 403, 404),
    # dossiers (the verification page is public on purpose: it proves a paper copy genuine)
    "dossiers.batch": row(403, 200, 200, 403, 403, 403, 403),
    "dossiers.job_cancel": row(404, 302, 404, 404, 404, 404, 404),
    "dossiers.verify": row(200, 200, 200, 200, 200, 200, 200, anon=200),
    # training (placement validates the form before place_in_stage asks the policy: 422, nothing written)
    "training.career_event_new": row(403, 422, 404, 403, 403, 403, 404),
    "training.manual_sign": row(403, 403, 404, 403, 422, 403, 404),
    "training.placement": row(422, 422, 404, 422, 422, 422, 404),
    "training.plan_review": row(403, 403, 404, 403, 422, 403, 404),
    "training.plan_save": row(403, 403, 404, 403, 403, 422, 404),
    "training.promotion_decide": row(403, 422, 404, 403, 403, 403, 404),
    "training.promotion_recommend": row(403, 403, 404, 403, 422, 403, 404),
    "training.rotation_confirm": row(403, 403, 404, 403, 403, 403, 404),
    "training.rotation_new": row(403, 422, 404, 403, 403, 422, 404),
    "training.transition_decide": row(403, 403, 404, 403, 422, 403, 404),
    "training.transition_submit": row(403, 403, 404, 403, 403, 409, 404),
    "training_admin.requirement_edit": row(200, 403, 403, 403, 403, 403, 403),
    "training_admin.requirement_new": row(200, 403, 403, 403, 403, 403, 403),
    "training_admin.requirement_retire": row(302, 403, 403, 403, 403, 403, 403),
    "training_admin.stage_edit": row(200, 403, 403, 403, 403, 403, 403),
    "training_admin.transition_edit": row(302, 403, 403, 403, 403, 403, 403),
    # points (the sample record is `trainee`'s upheld 文书质量瑕疵; the rules form comes back with its errors)
    "points.negative_new": row(403, 200, 200, 200, 403, 403, 403),
    "points.negative_appeal": row(403, 403, 404, 403, 403, 422, 404),
    "points.negative_decide": row(403, 422, 404, 403, 403, 403, 404),
    "points.rules_new": row(200, 403, 403, 403, 403, 403, 403),
    # evaluation (the sample cycle is last year's, finalised: HR's grade/finalise attempts are refused with a flash)
    "evaluation.cycle_new": row(403, 200, 200, 403, 403, 403, 403),
    "evaluation.cycle_grades": row(404, 302, 404, 404, 404, 404, 404),
    "evaluation.cycle_finalise": row(404, 302, 404, 404, 404, 404, 404),
    "evaluation.evaluation_summary": row(404, 403, 404, 403, 403, 422, 404),
    "evaluation.evaluation_mentor": row(404, 403, 404, 403, 422, 403, 404),
    "evaluation.evaluation_dept": row(404, 403, 404, 422, 403, 403, 404),
    "evaluation.quarter_person": row(403, 403, 404, 403, 422, 403, 404),
    # progress log: an empty form lacks the entry's version (422); the sample entry is submitted, so the owner's
    # upload is refused by the state machine (409) and a file removal goes back to the entry with the reason
    "activities.new": row(403, 403, 403, 403, 403, 422, 422),
    "activities.edit": row(403, 403, 404, 403, 403, 422, 404),
    "activities.submit": row(403, 403, 404, 403, 403, 422, 404),
    "activities.withdraw": row(403, 403, 404, 403, 403, 422, 404),
    "activities.delete": row(403, 403, 404, 403, 403, 422, 404),
    "activities.approve": row(403, 403, 404, 403, 422, 403, 404),
    "activities.return_entry": row(403, 403, 404, 403, 422, 403, 404),
    "activities.revoke": row(403, 422, 404, 403, 403, 403, 404),
    "activities.upload_files": row(403, 403, 404, 403, 403, 409, 404),
    "activities.evidence_delete": row(403, 403, 404, 403, 403, 302, 404),
    "activities.bulk_approve": row(403, 403, 403, 422, 422, 403, 403),
    # API: `{}` is a complete request for a move (version and comment are optional), so `mentor`'s approve of the
    # submitted sample succeeds (200) and the return that follows it (routes run in registration order) is a 409
    "api.activity_create": row(403, 403, 403, 403, 403, 422, 422, anon=401),
    "api.trainee_activity_create": row(403, 403, 404, 403, 403, 422, 404, anon=401),
    "api.activity_submit": row(403, 403, 404, 403, 403, 409, 404, anon=401),
    "api.activity_approve": row(403, 403, 404, 403, 200, 403, 404, anon=401),
    "api.activity_return": row(403, 403, 404, 403, 409, 403, 404, anon=401),
    "api.activity_revoke": row(403, 409, 404, 403, 403, 403, 404, anon=401),
    "api.activity_files": row(403, 403, 404, 403, 403, 409, 404, anon=401),
    # checklist: the trainee studies, the current primary mentor reviews and discusses, HR of the unit exempts
    # and corrects; the city's HR and admin manage the items (retiring the sample item redirects)
    "checklists.assignment_page": row(403, 403, 404, 403, 403, 422, 404),
    "checklists.review": row(403, 403, 404, 403, 422, 403, 404),
    "checklists.add_note": row(403, 403, 404, 403, 422, 403, 404),
    "checklists.exempt": row(403, 422, 404, 403, 403, 403, 404),
    "checklists.revoke": row(403, 422, 404, 403, 403, 403, 404),
    "checklists.lift_exemption": row(403, 422, 404, 403, 403, 403, 404),
    "checklists.item_new": row(422, 422, 403, 403, 403, 403, 403),
    "checklists.item_edit": row(422, 422, 403, 403, 403, 403, 403),
    "checklists.item_retire": row(302, 302, 403, 403, 403, 403, 403),
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ALLOWED_WHEN_REFUSED = {401, 403, 404}

# --- other people: who may see them -----------------------------------------------------------------
# peer: 王敏 zl005, XT 第一检察部 like `trainee`, mentored by someone else (the department head sees her).
# other_unit: 高浩然 zl013, 雨湖区院 (city HR and 雨湖 HR see him).
# former_mentee: 傅涛 zl003, XT 第四检察部, whose assignment to `mentor` the test ends: `mentor` keeps read access.
# A role name means "in sight, and treated as that role is on the sample object"; 404 means out of sight.
SIGHT = {
    "peer": row("admin", "hr", 404, "head", 404, 404, 404),
    "other_unit": row("admin", "hr", "hr", 404, 404, 404, 404),
    "former_mentee": row("admin", "hr", 404, 404, "mentor", 404, 404),
}
OBJECT_USERS = {"peer": "zl005", "other_unit": "zl013", "former_mentee": "zl003"}
# (endpoint, object) -> {role: status}, where an in-sight object differs from the sample's row.
OBJECT_OVERRIDES: dict = {
    # a former mentor reads the record of the period mentored but no longer prints the dossier
    ("dossiers.preview", "former_mentee"): {"mentor": 403},
    ("dossiers.pdf", "former_mentee"): {"mentor": 403},
    ("api.trainee_dossier_pdf", "former_mentee"): {"mentor": 403},
}
# Write routes on other people: no role may act on someone out of sight, and a former mentee is read-only
# for `mentor`. Rows only where a role legitimately acts on these objects (HR and admin in scope, the head).
WRITE_OBJECT_OVERRIDES: dict = {
    ("training.placement", "former_mentee"): {"mentor": 422},  # form checked first; place_in_stage then refuses
    ("evaluation.quarter_person", "former_mentee"): {"mentor": 403},  # only the current mentor writes comments
}


def object_values(app, demo) -> dict:
    """Extra sample ids for write routes: a token and a notification that belong to `trainee`."""
    from trainee.auth.models import ApiToken
    from trainee.auth.operations import issue_token
    from trainee.extensions import db
    from trainee.notifications.models import Notification

    issue_token(demo["trainee"], "matrix")
    token = db.session.execute(db.select(ApiToken).where(ApiToken.name == "matrix")).scalar_one()
    note = Notification(user_id=demo["trainee"].id, kind="matrix", text="matrix", link="/home")
    db.session.add(note)
    db.session.commit()
    values = {"token_id": token.id, "note_id": note.id, "code": "zh_CN"}
    values.update(competition_values(demo))
    values.update(training_values(demo))
    return values


def training_values(demo) -> dict:
    """training: a promotion request, a development plan and a rotation of the sample trainee where they exist."""
    from sqlalchemy import text

    from trainee.extensions import db

    person_id = demo["trainee"].person_id

    def first(table):
        return db.session.execute(text(f"SELECT id FROM {table} WHERE person_id = :p ORDER BY id LIMIT 1"),
                                  {"p": person_id}).scalar() or 1
    return {"request_id": first("promotion_requests"), "plan_id": first("development_plans"),
            "rotation_id": first("rotations"), "code": "T4"}


def competition_values(demo) -> dict:
    """competitions: a team, a match, a result and an honour (kind/record_id) of the sample trainee where they exist."""
    from trainee.competitions.models import CompetitionResult, Honour, Match, Team
    from trainee.extensions import db

    person_id = demo["trainee"].person_id
    first = lambda query: db.session.execute(query.limit(1)).scalar() or 1  # noqa: E731
    return {"team_id": first(db.select(Team.id).order_by(Team.id)),
            "match_id": first(db.select(Match.id).order_by(Match.id)),
            "result_id": first(db.select(CompetitionResult.id).where(CompetitionResult.person_id == person_id)),
            "kind": "honours", "record_id": first(db.select(Honour.id).where(Honour.person_id == person_id))}


def end_mentoring(db, demo) -> None:
    """Make zl003 a former mentee of `mentor`."""
    from trainee.core.time import local_today
    from trainee.mentoring.models import MentorAssignment

    former = demo["zl003"].person
    for assignment in db.session.execute(db.select(MentorAssignment).where(
            MentorAssignment.trainee_id == former.id, MentorAssignment.mentor_id == demo["mentor"].person_id)).scalars():
        assignment.end_date = local_today()
        assignment.end_reason = "matrix"
    db.session.commit()


def write_routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & WRITE_METHODS):
            yield rule, method


def test_every_write_route_is_in_the_matrix(app):
    missing = sorted({r.endpoint for r, _m in write_routes(app)} - set(EXPECTED_WRITE))
    assert not missing, ("add these endpoints to EXPECTED_WRITE (status per role for an empty submission on the "
                         f"sample object): {missing}")


def _audit_count(db):
    from trainee.audit import AuditEntry

    return db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar_one()


def _send(app, demo, headers, role, rule, method, values, body=None):
    """One request by a fresh client of `role` (API routes with the role's Bearer header)."""
    client = app.test_client()
    if role != "anon":
        login(client, demo[role])
    url = rule.build(values, append_unknown=False)[1] if rule.arguments else rule.rule
    if rule.rule.startswith("/api/"):
        return url, client.open(url, method=method, json=body or {}, headers=headers if role != "anon" else {})
    return url, client.open(url, method=method, data=body or {})


@pytest.mark.parametrize("role", ROLES)
def test_write_route_statuses_match_the_matrix(app, demo, db, api_token, role):
    values = {**sample_values(demo), **object_values(app, demo)}
    headers = api_token(role) if role != "anon" else {}
    failures = []
    for rule, method in write_routes(app):
        before = _audit_count(db)
        url, response = _send(app, demo, headers, role, rule, method, values)
        expected = EXPECTED_WRITE[rule.endpoint][role]
        if response.status_code != expected:
            failures.append(f"{method} {rule.endpoint} {url}: {response.status_code} != {expected}")
        if response.status_code in ALLOWED_WHEN_REFUSED and _audit_count(db) != before:
            failures.append(f"{method} {rule.endpoint} {url}: refused ({response.status_code}) but wrote to the audit")
        assert b"Traceback" not in response.get_data()
    assert not failures, f"as {role}:\n" + "\n".join(failures)


def _person_routes(app, methods):
    for rule in app.url_map.iter_rules():
        if "person_id" in rule.arguments:
            for method in sorted(rule.methods & methods):
                yield rule, method


def _secrets_of(person) -> list[str]:
    return [person.name, person.staff_no]


@pytest.mark.parametrize("role", ROLES[1:])
def test_other_peoples_records_are_refused_out_of_scope(app, demo, db, api_token, role):
    end_mentoring(db, demo)
    values = {**sample_values(demo), **object_values(app, demo)}
    headers = api_token(role)
    failures = []
    for obj, username in OBJECT_USERS.items():
        person = demo[username].person
        secrets = _secrets_of(person)
        vals = {**values, "person_id": person.id, "user_id": demo[username].id}
        for rule, method in _person_routes(app, {"GET"} | WRITE_METHODS):
            before = _audit_count(db)
            url, response = _send(app, demo, headers, role, rule, method, vals)
            status, body = response.status_code, response.get_data().decode("utf-8", "replace")
            write = method in WRITE_METHODS
            table = WRITE_OBJECT_OVERRIDES if write else OBJECT_OVERRIDES
            if role in table.get((rule.endpoint, obj), {}):
                expected = {table[(rule.endpoint, obj)][role]}
            elif SIGHT[obj][role] == 404 or (write and obj == "former_mentee" and role == "mentor"):
                expected = {403, 404}
            else:
                expected = {(EXPECTED_WRITE if write else EXPECTED)[rule.endpoint][SIGHT[obj][role]]}
            if status not in expected:
                failures.append(f"{method} {rule.endpoint} on {obj} {url}: {status} not in {sorted(expected)}")
            if status in ALLOWED_WHEN_REFUSED and SIGHT[obj][role] == 404:
                leaked = [s for s in secrets if s and s in body]
                if leaked:
                    failures.append(f"{method} {rule.endpoint} on {obj}: error body shows {leaked}")
                if _audit_count(db) != before:
                    failures.append(f"{method} {rule.endpoint} on {obj}: refused but wrote to the audit")
    assert not failures, f"as {role}:\n" + "\n".join(failures)
