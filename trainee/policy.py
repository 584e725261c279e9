"""Who may see or do what: the one place that decides.

Views, the API and templates all ask `can(user, action, obj)` or use the scope filters below.
A rule is a function `(user, obj) -> bool` registered under an action name; features add their
rules here so that a reviewer reads every permission of the product in one file.
"""
from collections.abc import Callable

from sqlalchemy import false, or_, select, true

from trainee.auth.models import Role, User
from trainee.core.errors import NotFound, PermissionDenied
from trainee.extensions import db
from trainee.mentoring.models import MentorAssignment
from trainee.org.models import Person, Unit

RULES: dict[str, Callable] = {}


def rule(*actions: str):
    def register(func):
        for action in actions:
            RULES[action] = func
        return func
    return register


def can(user, action: str, obj=None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    try:
        check = RULES[action]
    except KeyError:
        raise KeyError(f"no policy rule for {action!r}") from None
    return bool(check(user, obj))


def require(user, action: str, obj=None) -> None:
    """Raise PermissionDenied unless allowed. Objects outside the user's sight raise NotFound."""
    if not can(user, action, obj):
        raise PermissionDenied("您无权执行此操作。")


# --- scope --------------------------------------------------------------------------------------

def unit_scope_path(user: User) -> str:
    return user.unit.path


def in_unit_scope(user: User, unit: Unit | None) -> bool:
    """HR and admin of a unit see that unit and its children."""
    if user.has_role(Role.ADMIN) and user.unit.parent_id is None:
        return True
    return unit is not None and unit.path.startswith(user.unit.path)


def person_scope_filter(user: User):
    """A SQL condition on Person limiting a query to the people this user may see."""
    if user.has_role(Role.ADMIN, Role.HR):
        if user.has_role(Role.ADMIN) and user.unit.parent_id is None:
            return true()
        scoped_units = select(Unit.id).where(Unit.path.startswith(user.unit.path))
        return Person.unit_id.in_(scoped_units)
    conditions = []
    if user.person_id:
        conditions.append(Person.id == user.person_id)
        if user.has_role(Role.DEPT_HEAD) and user.person.department_id:
            conditions.append(Person.department_id == user.person.department_id)
        if user.has_role(Role.MENTOR, Role.TRAINEE):
            mentees = select(MentorAssignment.trainee_id).where(MentorAssignment.mentor_id == user.person_id)
            conditions.append(Person.id.in_(mentees))
    return or_(*conditions) if conditions else false()


def is_current_mentor(user: User, person: Person, kind=None) -> bool:
    """True when the user is an active mentor of the person (any kind unless `kind` is given)."""
    if not user.person_id or person is None:
        return False
    query = select(MentorAssignment.id).where(
        MentorAssignment.mentor_id == user.person_id,
        MentorAssignment.trainee_id == person.id,
        MentorAssignment.end_date.is_(None),
    )
    if kind is not None:
        query = query.where(MentorAssignment.kind == kind)
    return db.session.execute(query.limit(1)).first() is not None


def was_mentor(user: User, person: Person) -> bool:
    """True when the user mentored the person at some time (read-only access to that history)."""
    if not user.person_id or person is None:
        return False
    query = select(MentorAssignment.id).where(
        MentorAssignment.mentor_id == user.person_id, MentorAssignment.trainee_id == person.id)
    return db.session.execute(query.limit(1)).first() is not None


def is_self(user: User, person: Person | None) -> bool:
    return person is not None and user.person_id == person.id


def is_dept_head_of(user: User, person: Person | None) -> bool:
    return (person is not None and user.has_role(Role.DEPT_HEAD) and user.person is not None
            and user.person.department_id is not None and user.person.department_id == person.department_id)


def is_hr_for(user: User, person: Person | None) -> bool:
    return person is not None and user.has_role(Role.HR) and in_unit_scope(user, person.unit)


def is_admin_for(user: User, person: Person | None) -> bool:
    return person is not None and user.has_role(Role.ADMIN) and in_unit_scope(user, person.unit)


def get_visible_person(user: User, person_id: int) -> Person:
    """Load a person the user may see, or NotFound (never reveal that someone exists elsewhere)."""
    person = db.session.get(Person, person_id)
    if person is None or not can(user, "person.view", person):
        raise NotFound("没有找到此人员，或您无权查看。")
    return person


# --- rules --------------------------------------------------------------------------------------

@rule("admin.access", "admin.users", "admin.units", "audit.view")
def _admin(user, _obj):
    return user.has_role(Role.ADMIN)


@rule("people.list")
def _people_list(user, _obj):
    return user.has_role(Role.ADMIN, Role.HR, Role.DEPT_HEAD, Role.MENTOR)


@rule("person.view")
def _person_view(user, person):
    return (is_self(user, person) or is_hr_for(user, person) or is_admin_for(user, person)
            or is_dept_head_of(user, person) or was_mentor(user, person))


@rule("person.create")
def _person_create(user, unit):
    return user.has_role(Role.HR, Role.ADMIN) and (unit is None or in_unit_scope(user, unit))


@rule("person.edit")
def _person_edit(user, person):
    return is_hr_for(user, person) or is_admin_for(user, person)


@rule("mentoring.assign")
def _mentoring_assign(user, person):
    return is_hr_for(user, person)


# --- points (积分制考核) -------------------------------------------------------------------------

@rule("points.view")
def _points_view(user, person):
    """A trainee's own points; their mentors (past ones read only), department head, HR and admin in scope."""
    return person is not None and (is_self(user, person) or was_mentor(user, person) or is_dept_head_of(user, person)
                                   or is_hr_for(user, person) or is_admin_for(user, person))


@rule("points.rules.view")
def _points_rules_view(user, _obj):
    return user.has_role(Role.ADMIN, Role.HR)


@rule("points.rules.edit")
def _points_rules_edit(user, _obj):
    return user.has_role(Role.ADMIN)


@rule("points.maintain")
def _points_maintain(user, _obj):
    """Recalculation and verification (also as CLI commands)."""
    return user.has_role(Role.ADMIN, Role.HR)


@rule("negative.list")
def _negative_list(user, _obj):
    return user.has_role(Role.HR, Role.DEPT_HEAD)


@rule("negative.record")
def _negative_record(user, person):
    """HR of the person's unit or the head of the person's department; never about oneself."""
    if person is None:
        return user.has_role(Role.HR, Role.DEPT_HEAD)
    return person.is_trainee and not is_self(user, person) and (is_hr_for(user, person) or is_dept_head_of(user, person))


@rule("negative.view")
def _negative_view(user, record):
    person = record.person
    return (is_self(user, person) or is_hr_for(user, person) or is_dept_head_of(user, person)
            or was_mentor(user, person) or is_admin_for(user, person))


@rule("negative.appeal")
def _negative_appeal(user, record):
    return is_self(user, record.person)


@rule("negative.decide")
def _negative_decide(user, record):
    return is_hr_for(user, record.person)


# --- evaluation (季度节点分析, 全年综合评价) ------------------------------------------------------

@rule("evaluation.manage")
def _evaluation_manage(user, cycle):
    """HR opens, grades and finalises cycles of their scope; rankings are shown only to them (the committee)."""
    if not user.has_role(Role.HR):
        return False
    return cycle is None or in_unit_scope(user, cycle.owner_unit)


@rule("evaluation.view")
def _evaluation_view(user, evaluation):
    person = evaluation.person
    return (is_self(user, person) or (user.person_id is not None and user.person_id == evaluation.mentor_id)
            or was_mentor(user, person) or is_dept_head_of(user, person) or is_hr_for(user, person))


@rule("evaluation.summary")
def _evaluation_summary(user, evaluation):
    return is_self(user, evaluation.person)


@rule("evaluation.mentor_score")
def _evaluation_mentor_score(user, evaluation):
    from trainee.mentoring.models import AssignmentKind

    return user.person_id is not None and not is_self(user, evaluation.person) and (
        user.person_id == evaluation.mentor_id or is_current_mentor(user, evaluation.person, AssignmentKind.PRIMARY))


@rule("evaluation.dept_score")
def _evaluation_dept_score(user, evaluation):
    return not is_self(user, evaluation.person) and is_dept_head_of(user, evaluation.person)


@rule("quarterly.overview")
def _quarterly_overview(user, _obj):
    return user.has_role(Role.HR, Role.DEPT_HEAD)


@rule("quarterly.comment")
def _quarterly_comment(user, person):
    from trainee.mentoring.models import AssignmentKind

    return person is not None and is_current_mentor(user, person, AssignmentKind.PRIMARY)
# --- HR operations (issue #8): bulk actions, import, exports, reports --------------------------------

@rule("people.bulk_assign_mentor")
def _people_bulk_assign_mentor(user, _obj):
    return user.has_role(Role.HR)  # the assignment itself is checked per person by "mentoring.assign"


@rule("people.pick_mentor")
def _people_pick_mentor(user, _obj):
    """The people list's mentor picker (filter and bulk action) and its search: HR, and department heads for the
    mentors of their department (the search is limited to the user's scope)."""
    return user.has_role(Role.HR, Role.DEPT_HEAD)


@rule("people.import", "reports.view", "reports.export")
def _hr_operations(user, _obj):
    return user.has_role(Role.HR, Role.ADMIN)

# --- training: progress, sign-off, promotion, career (issue #3) ----------------------------------

def is_read_only(person: Person | None) -> bool:
    """A selected, transferred or departed trainee's records are kept but no longer change."""
    from trainee.org.models import PersonStatus

    return person is not None and person.status is not PersonStatus.ACTIVE


def is_primary_mentor(user: User, person: Person | None) -> bool:
    from trainee.mentoring.models import AssignmentKind

    return is_current_mentor(user, person, AssignmentKind.PRIMARY)


@rule("progress.view")
def _progress_view(user, person):
    return person is not None and person.is_trainee and _person_view(user, person)


@rule("transition.submit", "plan.edit")
def _trainee_writes(user, person):
    return is_self(user, person) and user.has_role(Role.TRAINEE) and not is_read_only(person)


@rule("transition.sign", "promotion.recommend", "plan.review")
def _primary_mentor_writes(user, person):
    return is_primary_mentor(user, person) and not is_read_only(person)


@rule("promotion.decide", "promotion.place")
def _hr_promotes(user, person):
    return is_hr_for(user, person) and not is_read_only(person)


@rule("career.record")
def _career_record(user, person):
    return is_hr_for(user, person)


@rule("rotation.create")
def _rotation_create(user, person):
    return (is_hr_for(user, person) or (is_self(user, person) and user.has_role(Role.TRAINEE))) \
        and not is_read_only(person)


@rule("rotation.confirm")
def _rotation_confirm(user, rotation):
    """Only the head of the receiving department confirms a rotation."""
    return (rotation is not None and user.has_role(Role.DEPT_HEAD) and user.person is not None
            and user.person.department_id == rotation.department_id and user.person_id != rotation.person_id
            and not is_read_only(rotation.person))


@rule("training.admin")
def _training_admin(user, _obj):
    return user.has_role(Role.ADMIN)


@rule("trainees.list")
def _trainees_list(user, _obj):
    return user.has_role(Role.ADMIN, Role.HR, Role.DEPT_HEAD, Role.MENTOR)

# --- competitions and honours ---------------------------------------------------------------------
# A competition belongs to a unit: people of that unit and its children take part and see it, HR of the
# unit (or above) manages it. An external competition a trainee reported is seen by the reporter and HR.

def _competition_in_sight(user: User, unit: Unit | None) -> bool:
    """Competitions of the user's unit and the units above it; HR and admin also see those of units below."""
    if unit is None:
        return False
    if user.unit.path.startswith(unit.path):
        return True
    return user.has_role(Role.HR, Role.ADMIN) and in_unit_scope(user, unit)


@rule("competition.list")
def _competition_list(user, _obj):
    return True


@rule("competition.view")
def _competition_view(user, competition):
    if competition is None:
        return True
    if competition.reported_by_id is not None:
        return is_self(user, competition.reported_by) or is_hr_for(user, competition.reported_by) \
            or is_admin_for(user, competition.reported_by)
    return _competition_in_sight(user, competition.unit)


@rule("competition.manage")
def _competition_manage(user, competition):
    """Create (obj None) or manage a competition: its entries, teams, matches and results."""
    if not user.has_role(Role.HR):
        return False
    return competition is None or in_unit_scope(user, competition.unit)


@rule("competition.enter")
def _competition_enter(user, person):
    """Enter this person in a competition, record their result: HR of the person's unit."""
    return is_hr_for(user, person)


@rule("competition.report")
def _competition_report(user, person):
    """A trainee reports their own external result, honour or talent-pool entry (HR verifies)."""
    return user.has_role(Role.TRAINEE) and (person is None or is_self(user, person))


@rule("competition.verify")
def _competition_verify(user, person):
    """Verify, reject or correct a person's results, honours and talent-pool entries."""
    return is_hr_for(user, person) if person is not None else user.has_role(Role.HR)


@rule("competition.record")
def _competition_record(user, person):
    """See a person's record of competitions and honours (and their certificates)."""
    return _person_view(user, person)


@rule("competition.summary")
def _competition_summary(user, _obj):
    return user.has_role(Role.HR, Role.ADMIN)


# --- dossiers (成长档案) ------------------------------------------------------------------------

@rule("dossier.print")
def _dossier_print(user, person):
    """HR for their scope, the trainee their own, a mentor a current mentee."""
    return is_hr_for(user, person) or is_self(user, person) or (
        user.has_role(Role.MENTOR) and is_current_mentor(user, person))


@rule("dossier.batch")
def _dossier_batch(user, unit):
    return user.has_role(Role.HR) and (unit is None or in_unit_scope(user, unit))


@rule("dossier.job.view")
def _dossier_job_view(user, job):
    """A batch job is seen by the HR user who started it and by HR whose scope holds its unit."""
    return job is not None and user.has_role(Role.HR) and (
        job.created_by_id == user.id or in_unit_scope(user, job.unit))


# --- administration (security review) -----------------------------------------------------------
# An administrator manages their own unit and the units beneath it; only the city's administrator manages
# everything (and creates top-level units). Users are managed by the administrator of the user's unit.

@rule("unit.manage")
def _unit_manage(user, unit):
    return user.has_role(Role.ADMIN) and in_unit_scope(user, unit)


@rule("user.manage")
def _user_manage(user, target):
    return user.has_role(Role.ADMIN) and target is not None and in_unit_scope(user, target.unit)


def scoped_unit_ids(user: User):
    """A subquery of the ids of the units in the user's administrative scope."""
    if user.unit.parent_id is None and user.has_role(Role.ADMIN):
        return select(Unit.id)
    return select(Unit.id).where(Unit.path.startswith(user.unit.path))


# --- progress log (工作纪实): entries, evidence, review -------------------------------------------
# The owner writes drafts and submits; only the CURRENT primary mentor reviews (a former mentor reads the
# record, never decides); HR of the person's unit revokes an approved entry. Which status allows which move
# is the state machine's business (trainee/activities/operations.py MOVES); these rules say who.

@rule("activity.view")
def _activity_view(user, activity):
    return activity is not None and _person_view(user, activity.person)


@rule("activity.list")
def _activity_list(user, person):
    """See a person's progress log (read-only pages for mentors, heads and HR)."""
    return person is not None and person.is_trainee and _person_view(user, person)


@rule("activity.create")
def _activity_create(user, person):
    return is_self(user, person) and user.has_role(Role.TRAINEE) and not is_read_only(person)


@rule("activity.edit", "activity.submit", "activity.withdraw", "activity.delete")
def _activity_owner(user, activity):
    return activity is not None and _activity_create(user, activity.person)


@rule("activity.review")
def _activity_review(user, activity):
    return (activity is not None and not is_self(user, activity.person) and user.has_role(Role.MENTOR)
            and is_primary_mentor(user, activity.person) and not is_read_only(activity.person))


@rule("activity.revoke")
def _activity_revoke(user, activity):
    return activity is not None and not is_self(user, activity.person) and is_hr_for(user, activity.person)


@rule("activity.queue")
def _activity_queue(user, _obj):
    return user.has_role(Role.MENTOR) and user.person_id is not None


# --- dual-study checklist (双学铸魂, issue #4) --------------------------------------------------------
# The item list is the city's standard: HR or admin of the top-level unit manages it. A trainee studies
# and submits their own items; their current primary mentor confirms, returns and writes discussion notes;
# HR of the person's unit exempts (with a reason) and undoes a confirmation (a correction, with a reason).

@rule("checklist.manage")
def _checklist_manage(user, _obj):
    return user.has_role(Role.HR, Role.ADMIN) and user.unit.parent_id is None


@rule("checklist.items")
def _checklist_items(user, _obj):
    return user.has_role(Role.HR, Role.ADMIN)


@rule("checklist.view")
def _checklist_view(user, person):
    return person is not None and person.is_trainee and _person_view(user, person)


@rule("checklist.study")
def _checklist_study(user, person):
    return is_self(user, person) and user.has_role(Role.TRAINEE) and not is_read_only(person)


@rule("checklist.review")
def _checklist_review(user, person):
    return not is_self(user, person) and is_primary_mentor(user, person) and not is_read_only(person)


@rule("checklist.exempt", "checklist.correct")
def _checklist_exempt(user, person):
    return not is_self(user, person) and is_hr_for(user, person) and not is_read_only(person)


@rule("checklist.mentees")
def _checklist_mentees(user, _obj):
    return user.has_role(Role.MENTOR)


@rule("checklist.completion")
def _checklist_completion(user, _obj):
    return user.has_role(Role.HR, Role.ADMIN)
