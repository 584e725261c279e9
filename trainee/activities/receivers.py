"""Signal receivers of the progress log: pending reviews follow the trainee to a new primary mentor."""
from trainee import signals
from trainee.activities import operations
from trainee.mentoring.models import AssignmentKind


@signals.mentor_changed.connect
def on_mentor_changed(assignment, actor=None, **_kw):
    if assignment.kind is AssignmentKind.PRIMARY:
        operations.move_pending_reviews(assignment, actor=actor)
