"""Competitions, team face-offs, honours and the talent pool (issue #6)."""
import io
from contextlib import contextmanager
from datetime import timedelta

import pytest

from trainee import signals
from trainee.audit import AuditEntry
from trainee.competitions import operations as ops
from trainee.competitions.models import (
    Award,
    Competition,
    CompetitionEntry,
    CompetitionResult,
    Honour,
    Level,
    Match,
    ResultStatus,
    Team,
    VerifyStatus,
)
from trainee.core.time import local_today
from trainee.mentoring.models import AssignmentKind, MentorAssignment
from trainee.org.models import Person, Position


@contextmanager
def captured(signal):
    calls = []

    def receiver(sender, **kwargs):
        calls.append((sender, kwargs))

    with signal.connected_to(receiver):
        yield calls


def by_name(db, name) -> Competition:
    return db.session.execute(db.select(Competition).where(Competition.name == name)).scalar_one()


def result_of(db, competition, person) -> CompetitionResult | None:
    return db.session.execute(db.select(CompetitionResult).where(
        CompetitionResult.competition_id == competition.id, CompetitionResult.person_id == person.id,
        CompetitionResult.status == ResultStatus.VERIFIED)).scalar_one_or_none()


def count(db, model, *where) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model).where(*where)).scalar()


def t5_progress(db, person):
    from trainee.training.models import Requirement, RequirementKind, StageRecord
    from trainee.training.requirements import ProgressContext, evaluate

    requirement = db.session.execute(db.select(Requirement).where(
        Requirement.kind == RequirementKind.COMPETITION)).scalar_one()
    starts = {r.stage.code: r.start_date for r in db.session.execute(
        db.select(StageRecord).where(StageRecord.person_id == person.id)).scalars()}
    return evaluate(requirement, ProgressContext(person=person, stage_start=starts, today=local_today())), requirement


def free_trainees(db, unit_code, n):
    """Trainees of a unit who have no competition entries in the demo."""
    from trainee.org.models import Unit

    entered = db.select(CompetitionEntry.person_id)
    return db.session.execute(db.select(Person).join(Unit).where(
        Unit.code == unit_code, Person.position == Position.ASSISTANT, Person.id.not_in(entered))
        .order_by(Person.id).limit(n)).scalars().all()


def new_competition(hr, **extra):
    data = {"name": "全市检察官助理岗位练兵", "kind": "SKILLS", "level": "CITY", "organiser": "湘潭市人民检察院",
            "start_date": local_today() - timedelta(days=5), "end_date": local_today() - timedelta(days=4)}
    data.update(extra)
    return ops.create_competition(hr, data)


# --- points basis: results carry level and award to the ledger --------------------------------------

@pytest.mark.parametrize("level,award", [("UNIT", "PARTICIPATION"), ("CITY", "FIRST"), ("PROVINCE", "SECOND"),
                                         ("NATIONAL", "SPECIAL")])
def test_a_recorded_result_signals_its_level_and_award_for_the_points_ledger(demo, db, level, award):
    hr = demo["hr"]
    person = free_trainees(db, "XT", 1)[0]
    competition = new_competition(hr, level=level)
    ops.add_entry(hr, competition, person.id, "某案审查报告")
    with captured(signals.competition_result_recorded) as calls:
        result = ops.record_result(hr, competition, person.id, award)
    assert len(calls) == 1
    sender, payload = calls[0]
    assert sender is result and payload["person"] is person and payload["actor"] is hr
    assert payload["level"] is Level[level] and payload["award"] is Award[award] and payload["team"] is None
    assert payload["date"] == competition.end_date


# --- teams ------------------------------------------------------------------------------------------

def test_a_team_result_reaches_every_member_exactly_once(demo, db):
    hr = demo["hr"]
    members = free_trainees(db, "XT", 3)
    competition = new_competition(hr, name="院内团队对垒", kind="DEBATE", format="TEAM")
    team = ops.create_team(hr, competition, "甲队", demo["mentor"].person.id)
    other = ops.create_team(hr, competition, "乙队")
    for person in members:
        ops.add_member(hr, team, person.id)
    ops.add_member(hr, other, free_trainees(db, "YH", 1)[0].id)
    with captured(signals.competition_result_recorded) as calls:
        ops.record_team_result(hr, team, "FIRST")
    assert sorted(payload["person"].id for _s, payload in calls) == sorted(p.id for p in members)
    assert all(payload["team"] is team for _s, payload in calls)
    for person in members:
        assert count(db, CompetitionResult, CompetitionResult.person_id == person.id,
                     CompetitionResult.competition_id == competition.id) == 1
    with pytest.raises(ops.ValidationFailed, match="已登记结果"):
        ops.record_team_result(hr, team, "SECOND")
    assert count(db, CompetitionResult, CompetitionResult.competition_id == competition.id) == 3


def test_the_coach_is_a_team_mentor_assignment_for_each_member_and_moves_with_a_new_coach(demo, db):
    hr, coach, new_coach = demo["hr"], demo["mentor02"].person, demo["mentor03"].person
    competition = new_competition(hr, name="团队赛", kind="DEBATE", format="TEAM")
    team = ops.create_team(hr, competition, "丙队", coach.id)
    members = free_trainees(db, "XT", 2)
    for person in members:
        ops.add_member(hr, team, person.id)

    def active(mentor):
        return count(db, MentorAssignment, MentorAssignment.mentor_id == mentor.id,
                     MentorAssignment.kind == AssignmentKind.TEAM, MentorAssignment.end_date.is_(None),
                     MentorAssignment.trainee_id.in_([p.id for p in members]))
    assert active(coach) == 2
    ops.set_coach(hr, team, new_coach.id)
    assert active(coach) == 0 and active(new_coach) == 2
    assert count(db, MentorAssignment, MentorAssignment.mentor_id == coach.id,
                 MentorAssignment.kind == AssignmentKind.TEAM,
                 MentorAssignment.trainee_id.in_([p.id for p in members])) == 2  # history kept


def test_the_demo_debate_has_a_bracket_a_season_table_and_a_champion(as_role, demo, db):
    debate = by_name(db, "全市检察机关团队论辩赛")
    assert len(debate.teams) == 4 and len(debate.matches) == 3
    page = as_role("trainee").get(f"/competitions/{debate.id}/bracket").get_data(as_text=True)
    assert "半决赛" in page and "决赛" in page and "冠军" in page and "最佳辩手" in page
    from trainee.competitions.queries import season_table
    table = season_table(debate)
    assert table[0].team.name == "市院代表队" and table[0].wins == 2
    assert sum(row.wins for row in table) == 3


# --- corrections --------------------------------------------------------------------------------------

def test_a_correction_reverses_the_old_result_and_counts_the_new_one(as_role, demo, db):
    trainee = demo["trainee"].person
    documents = by_name(db, "湘潭市检察机关优秀法律文书评选")
    old = result_of(db, documents, trainee)
    assert old.award is Award.SECOND
    with captured(signals.competition_result_corrected) as reversed_, \
            captured(signals.competition_result_recorded) as recorded:
        response = as_role("hr").post(f"/competitions/results/{old.id}/correct",
                                      data={"award": "FIRST", "reason": "评审复核后改为一等奖"})
    assert response.status_code == 302
    assert len(reversed_) == 1 and reversed_[0][0].id == old.id and reversed_[0][1]["award"] is Award.SECOND
    assert reversed_[0][1]["reason"] == "评审复核后改为一等奖"
    assert len(recorded) == 1 and recorded[0][1]["award"] is Award.FIRST
    db.session.refresh(old)
    assert old.status is ResultStatus.CORRECTED and old.close_reason == "评审复核后改为一等奖"
    new = result_of(db, documents, trainee)
    assert new.award is Award.FIRST and new.replaces_id == old.id
    assert count(db, AuditEntry, AuditEntry.action == "competition.result_corrected",
                 AuditEntry.object_id == old.id) == 1
    progress, _requirement = t5_progress(db, trainee)
    assert progress.met and progress.done == 1


def test_withdrawing_a_result_stops_it_counting_for_t5(demo, db):
    trainee = demo["trainee"].person
    documents = by_name(db, "湘潭市检察机关优秀法律文书评选")
    with captured(signals.competition_result_corrected) as reversed_:
        assert ops.correct_result(demo["hr"], result_of(db, documents, trainee), "", "重复登记") is None
    assert len(reversed_) == 1 and reversed_[0][1]["replacement"] is None
    progress, _requirement = t5_progress(db, trainee)
    assert not progress.met and progress.done == 0


def test_a_team_correction_reverses_every_member_once(demo, db):
    debate = by_name(db, "全市检察机关团队论辩赛")
    team = next(t for t in debate.teams if t.name == "岳塘区院代表队")
    with captured(signals.competition_result_corrected) as reversed_:
        ops.correct_team_result(demo["hr"], team, "SECOND", "决赛名次复核")
    assert sorted(s.person_id for s, _k in reversed_) == sorted(m.person_id for m in team.members)
    assert {m.current_result.award for m in team.members} == {Award.SECOND}


# --- the T5 requirement ------------------------------------------------------------------------------

def test_t5_competition_requirement_is_met_by_the_demo_trainees_result(demo, db):
    progress, requirement = t5_progress(db, demo["trainee"].person)
    assert requirement.transition.code == "T5"
    assert progress.available and progress.met and (progress.done, progress.target) == (1, 1)
    assert progress.text.startswith("1 / 1")


def test_t5_counts_only_verified_results_at_the_minimum_level_within_the_stage(demo, db):
    trainee = demo["trainee"].person
    _p, requirement = t5_progress(db, trainee)
    requirement.params = {"count": 1, "min_level": "PROVINCE"}
    db.session.commit()
    assert not t5_progress(db, trainee)[0].met  # the demo result is city level
    requirement.params = {"count": 1, "min_level": "UNIT"}
    db.session.commit()
    # A result dated before the trainee entered stage 2 does not count for a stage-2 requirement.
    documents = by_name(db, "湘潭市检察机关优秀法律文书评选")
    result = result_of(db, documents, trainee)
    result.date = trainee.hire_date
    db.session.commit()
    assert t5_progress(db, trainee)[0].done == 0
    # Not reached stage 2 yet: nothing counts, nothing breaks.
    progress, _r = t5_progress(db, demo["trainee2"].person)
    assert progress.done == 0 and not progress.met


# --- bad input ---------------------------------------------------------------------------------------

def test_a_result_for_someone_not_entered_is_refused_and_nothing_is_saved(as_role, demo, db):
    documents = by_name(db, "湘潭市检察机关优秀法律文书评选")
    before = count(db, CompetitionResult)
    response = as_role("hr").post(f"/competitions/{documents.id}/results",
                                  data={"person_id": demo["trainee2"].person.id, "award": "FIRST"})
    assert response.status_code == 422
    assert "未报名" in response.get_data(as_text=True)
    assert count(db, CompetitionResult) == before


def test_an_award_outside_the_list_is_refused(as_role, demo, db):
    hr = demo["hr"]
    person = free_trainees(db, "XT", 1)[0]
    competition = new_competition(hr)
    ops.add_entry(hr, competition, person.id)
    for award in ("GOLD", "金奖", "<script>", ""):
        response = as_role("hr").post(f"/competitions/{competition.id}/results",
                                      data={"person_id": person.id, "award": award})
        assert response.status_code == 422
        assert "奖项须为以下之一：特等奖、一等奖、二等奖、三等奖、优秀奖、入围、参与" in response.get_data(as_text=True)
    assert count(db, CompetitionResult, CompetitionResult.competition_id == competition.id) == 0


def test_a_match_between_a_team_and_itself_is_refused(as_role, demo, db):
    debate = by_name(db, "全市检察机关团队论辩赛")
    team = debate.teams[0]
    before = count(db, Match)
    response = as_role("hr").post(f"/competitions/{debate.id}/matches", data={
        "topic": "辩题", "date": local_today().isoformat(), "round_no": 1, "slot": 3,
        "affirmative_id": team.id, "negative_id": team.id})
    assert response.status_code == 422
    assert "不能与自己对阵" in response.get_data(as_text=True)
    assert count(db, Match) == before


def test_a_member_in_two_teams_of_one_competition_is_refused(as_role, demo, db):
    debate = by_name(db, "全市检察机关团队论辩赛")
    first, second = debate.teams[0], debate.teams[1]
    member = first.members[0].person
    hr = demo["hr"]
    competition = new_competition(hr, name="新一届团队论辩赛", kind="DEBATE", format="TEAM")
    a = ops.create_team(hr, competition, "A 队")
    b = ops.create_team(hr, competition, "B 队")
    ops.add_member(hr, a, member.id)
    response = as_role("hr").post(f"/competitions/teams/{b.id}/members", data={"person_id": member.id})
    assert response.status_code == 422
    assert "只能属于一个队" in response.get_data(as_text=True)
    assert count(db, CompetitionEntry, CompetitionEntry.competition_id == competition.id) == 1
    assert second.id != first.id


def test_the_best_debater_and_the_winner_must_come_from_the_match(demo, db):
    debate = by_name(db, "全市检察机关团队论辩赛")
    aff, neg, outsider = debate.teams[0], debate.teams[1], debate.teams[2]
    data = {"topic": "辩题", "date": local_today(), "affirmative_id": aff.id, "negative_id": neg.id}
    with pytest.raises(ops.ValidationFailed, match="获胜方须为参赛的正方或反方"):
        ops.add_match(demo["hr"], debate, dict(data, winner_id=outsider.id))
    with pytest.raises(ops.ValidationFailed, match="最佳辩手须为本场两队的队员"):
        ops.add_match(demo["hr"], debate, dict(data, best_debater_id=outsider.members[0].person_id))


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "请填写竞赛名称"), ("name", "<script>alert(1)</script>", "尖括号"), ("name", "长" * 121, "不超过 120"),
    ("level", "CITYX", "请选择级别"), ("end_date", "2020-01-01", "结束日期不能早于开始日期"),
    ("start_date", "2024-13-40", "日期格式无效"),
])
def test_bad_competition_input_is_refused_with_a_chinese_message(as_role, demo, db, field, value, message):
    data = {"name": "测试竞赛", "kind": "SKILLS", "level": "CITY", "organiser": "湘潭市人民检察院",
            "start_date": "2024-05-01", "end_date": "2024-05-02", "format": "INDIVIDUAL",
            "unit_id": demo["hr"].unit_id}
    data[field] = value
    before = count(db, Competition)
    response = as_role("hr").post("/competitions/new", data=data)
    assert message in response.get_data(as_text=True)
    assert count(db, Competition) == before


def test_competition_creation_is_audited(as_role, demo, db):
    response = as_role("hr").post("/competitions/new", data={
        "name": "2024年全市检察机关优秀案例评选", "kind": "CASE", "level": "CITY", "organiser": "湘潭市人民检察院",
        "start_date": "2024-05-01", "end_date": "2024-06-30", "format": "INDIVIDUAL", "unit_id": demo["hr"].unit_id})
    assert response.status_code == 302
    competition = by_name(db, "2024年全市检察机关优秀案例评选")
    assert count(db, AuditEntry, AuditEntry.action == "competition.created", AuditEntry.object_id == competition.id) == 1


# --- reports, certificates and verification ----------------------------------------------------------

def png_file(name="证书.png"):
    from trainee.competitions.demo import certificate_png

    return (io.BytesIO(certificate_png(40, 30)), name)


def report_data(**extra):
    data = {"name": "湖南省检察机关公诉技能竞赛", "kind": "SKILLS", "level": "PROVINCE", "organiser": "湖南省人民检察院",
            "date": (local_today() - timedelta(days=3)).isoformat(), "award": "THIRD", "certificate": png_file()}
    data.update(extra)
    return data


def test_an_external_result_counts_only_after_hr_verifies_it(as_role, demo, db):
    trainee = demo["trainee"].person
    client = as_role("trainee")
    response = client.post(f"/competitions/people/{trainee.id}/report", data=report_data(),
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    result = db.session.execute(db.select(CompetitionResult).where(
        CompetitionResult.status == ResultStatus.PENDING, CompetitionResult.person_id == trainee.id)).scalar_one()
    _p, requirement = t5_progress(db, trainee)
    requirement.params = {"count": 1, "min_level": "PROVINCE"}
    db.session.commit()
    assert not t5_progress(db, trainee)[0].met
    certificate = client.get(f"/competitions/certificates/{result.certificate_id}")
    assert certificate.status_code == 200 and certificate.mimetype == "image/png"
    assert as_role("trainee2").get(f"/competitions/certificates/{result.certificate_id}").status_code == 404
    with captured(signals.competition_result_recorded) as calls:
        assert as_role("hr").post(f"/competitions/results/{result.id}/verify").status_code == 302
    assert len(calls) == 1 and calls[0][1]["level"] is Level.PROVINCE
    assert t5_progress(db, trainee)[0].met
    assert count(db, AuditEntry, AuditEntry.action == "competition.result_verified") == 1


def test_a_rejected_report_never_counts_and_tells_the_trainee(as_role, demo, db):
    from trainee.notifications.models import Notification

    trainee = demo["trainee"].person
    as_role("trainee").post(f"/competitions/people/{trainee.id}/report", data=report_data(),
                            content_type="multipart/form-data")
    result = db.session.execute(db.select(CompetitionResult).where(
        CompetitionResult.status == ResultStatus.PENDING, CompetitionResult.person_id == trainee.id)).scalar_one()
    with captured(signals.competition_result_recorded) as calls:
        as_role("hr").post(f"/competitions/results/{result.id}/reject", data={"reason": "证书与申报奖项不符"})
    db.session.refresh(result)
    assert result.status is ResultStatus.REJECTED and not calls
    assert count(db, Notification, Notification.text.contains("证书与申报奖项不符")) == 1


@pytest.mark.parametrize("upload,message", [
    ((io.BytesIO(b"just text pretending"), "证书.pdf"), "按文件内容检查"),
    ((io.BytesIO(b"\x89PNG\r\n\x1a\n...."), "证书.exe"), "按文件内容检查"),
    ((io.BytesIO(b"%PDF-1.4 ..."), "证书.png"), "按文件内容检查"),
])
def test_a_certificate_must_really_be_pdf_jpg_or_png(as_role, demo, db, upload, message):
    trainee = demo["trainee"].person
    before = count(db, Competition)
    response = as_role("trainee").post(f"/competitions/people/{trainee.id}/report",
                                       data=report_data(certificate=upload), content_type="multipart/form-data")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(db, Competition) == before


def test_a_report_without_a_certificate_or_with_a_future_date_is_refused(as_role, demo, db):
    trainee = demo["trainee"].person
    client = as_role("trainee")
    data = report_data()
    data.pop("certificate")
    assert "请上传获奖证书" in client.post(f"/competitions/people/{trainee.id}/report", data=data).get_data(as_text=True)
    future = report_data(date=(local_today() + timedelta(days=3)).isoformat())
    response = client.post(f"/competitions/people/{trainee.id}/report", data=future, content_type="multipart/form-data")
    assert "不能晚于今天" in response.get_data(as_text=True)


def test_nobody_reports_for_someone_else(as_role, demo, db):
    trainee = demo["trainee"].person
    assert as_role("trainee2").post(f"/competitions/people/{trainee.id}/report", data=report_data(),
                                    content_type="multipart/form-data").status_code == 404
    assert as_role("mentor").post(f"/competitions/people/{trainee.id}/report", data=report_data(),
                                  content_type="multipart/form-data").status_code == 403


def test_honours_count_once_verified_and_a_revocation_reverses_them(as_role, demo, db):
    trainee = demo["trainee"].person
    response = as_role("trainee").post(f"/competitions/people/{trainee.id}/honours/new", data={
        "title": "检察业务标兵", "level": "PROVINCE", "date": (local_today() - timedelta(days=2)).isoformat(),
        "issuer": "湖南省人民检察院", "certificate": png_file()}, content_type="multipart/form-data")
    assert response.status_code == 302
    honour = db.session.execute(db.select(Honour).where(Honour.title == "检察业务标兵",
                                                        Honour.person_id == trainee.id)).scalar_one()
    assert honour.status is VerifyStatus.PENDING
    with captured(signals.honour_verified) as verified:
        as_role("hr").post(f"/competitions/honours/{honour.id}/verify")
    assert len(verified) == 1 and verified[0][1]["level"] is Level.PROVINCE
    with captured(signals.honour_revoked) as revoked:
        as_role("hr").post(f"/competitions/honours/{honour.id}/close", data={"reason": "文件撤销"})
    db.session.refresh(honour)
    assert honour.status is VerifyStatus.REVOKED and len(revoked) == 1
    assert as_role("trainee").post(f"/competitions/honours/{honour.id}/verify").status_code == 403
    db.session.refresh(honour)
    assert honour.status is VerifyStatus.REVOKED  # a trainee cannot verify anything


def test_hr_enters_a_talent_pool_entry_that_counts_at_once(as_role, demo, db):
    from trainee.competitions.models import TalentEntry

    trainee = demo["trainee"].person
    with captured(signals.honour_verified) as verified:
        response = as_role("hr").post(f"/competitions/people/{trainee.id}/talent/new", data={
            "level": "NATIONAL", "field": "公益诉讼检察", "date": local_today().isoformat(), "issuer": "最高人民检察院"})
    assert response.status_code == 302
    entry = db.session.execute(db.select(TalentEntry).where(TalentEntry.person_id == trainee.id)).scalar_one()
    assert entry.status is VerifyStatus.VERIFIED and len(verified) == 1


# --- permissions -------------------------------------------------------------------------------------

def test_only_hr_in_scope_manages_a_competition(as_role, demo, db):
    documents = by_name(db, "湘潭市检察机关优秀法律文书评选")
    person = free_trainees(db, "XT", 1)[0]
    for username, status in (("trainee", 403), ("mentor", 403), ("head", 403), ("hr_yuhu", 403), ("admin", 403)):
        response = as_role(username).post(f"/competitions/{documents.id}/entries", data={"person_id": person.id})
        assert response.status_code == status, username
    assert count(db, CompetitionEntry, CompetitionEntry.person_id == person.id) == 0
    drill = by_name(db, "雨湖区院岗位练兵·案例研析比赛")
    yuhu_trainee = free_trainees(db, "YH", 1)[0]
    assert as_role("hr_yuhu").post(f"/competitions/{drill.id}/entries",
                                   data={"person_id": yuhu_trainee.id}).status_code == 302
    city_trainee = free_trainees(db, "XT", 1)[0]
    response = as_role("hr_yuhu").post(f"/competitions/{drill.id}/entries", data={"person_id": city_trainee.id})
    assert response.status_code == 422 and "不在您的管理范围内" in response.get_data(as_text=True)


def test_a_unit_competition_is_not_listed_for_other_units(as_role, demo, db):
    assert "雨湖区院岗位练兵" in as_role("hr_yuhu").get("/competitions/").get_data(as_text=True)
    assert "雨湖区院岗位练兵" not in as_role("trainee").get("/competitions/").get_data(as_text=True)
    drill = by_name(db, "雨湖区院岗位练兵·案例研析比赛")
    assert as_role("trainee").get(f"/competitions/{drill.id}").status_code == 404
    assert as_role("hr").get(f"/competitions/{drill.id}").status_code == 200


# --- pages and API -----------------------------------------------------------------------------------

def test_the_trainee_sees_their_record_and_a_home_widget(as_role, demo):
    client = as_role("trainee")
    home = client.get("/home").get_data(as_text=True)
    assert "我的竞赛与荣誉" in home and "湘潭市检察机关优秀法律文书评选" in home
    page = client.get(f"/competitions/people/{demo['trainee'].person.id}").get_data(as_text=True)
    assert "二等奖" in page and "优秀检察官助理" in page and "李某涉嫌危险驾驶案起诉书" in page


def test_hr_summary_counts_participants_and_awards_by_level_with_a_chart(as_role, demo, db):
    from trainee.competitions.queries import year_summary

    summary = year_summary(demo["hr"], local_today().year)
    assert summary.participants >= 25 and summary.matrix[Level.CITY][Award.SECOND] >= 3
    page = as_role("hr").get(f"/competitions/summary?year={local_today().year}").get_data(as_text=True)
    assert "<svg" in page and "市级" in page and str(summary.participants) in page
    district = year_summary(demo["hr_yuhu"], local_today().year)
    assert district.participants < summary.participants


def test_api_lists_competitions_by_year(client, demo, api_token):
    year = local_today().year
    items = client.get(f"/api/v1/competitions?year={year}", headers=api_token("trainee")).get_json()["items"]
    names = {c["name"] for c in items}
    assert "全市检察机关团队论辩赛" in names and "湖南省检察机关优秀检察建议评选" not in names
    assert "雨湖区院岗位练兵·案例研析比赛" not in names
    debate = next(c for c in items if c["name"] == "全市检察机关团队论辩赛")
    assert debate["format"] == "TEAM" and debate["entries"] == 12 and debate["level"] == "CITY"
    for bad in ("abc", "0", "3000"):
        response = client.get(f"/api/v1/competitions?year={bad}", headers=api_token("trainee"))
        assert response.status_code == 422 and response.get_json()["error"]["message"]


def test_api_gives_a_trainees_record_to_those_who_may_see_it(client, demo, api_token):
    person_id = demo["trainee"].person.id
    data = client.get(f"/api/v1/trainees/{person_id}/competitions", headers=api_token("mentor")).get_json()
    assert data["person_id"] == person_id
    assert [c["result"]["award"] for c in data["competitions"] if c["result"]] == ["SECOND"]
    assert data["honours"][0]["title"] == "优秀检察官助理"
    assert client.get(f"/api/v1/trainees/{person_id}/competitions", headers=api_token("trainee2")).status_code == 404
    assert client.get(f"/api/v1/trainees/{person_id}/competitions").status_code == 401


def test_team_membership_is_stored_once_per_competition(db, demo):
    debate = by_name(db, "全市检察机关团队论辩赛")
    people = [e.person_id for e in debate.entries]
    assert len(people) == len(set(people)) == 12
    assert all(e.team_id for e in debate.entries)
    assert count(db, Team, Team.competition_id == debate.id) == 4


def test_bulk_generator_adds_competition_entries(app, db):
    """Speed is measured by bench/ (seed-demo --trainees 10000), not here: a timed test fails on a busy machine."""
    from trainee.bulk import generate

    stats = generate(trainees=600, years=2, echo=lambda *_: None)
    assert stats["bulk_competition_entries"] > 600
    assert count(db, CompetitionResult) > 200
