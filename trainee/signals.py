"""Domain signals that connect features without importing each other.

Senders pass the record and `actor`; receivers run inside the sender's transaction (before commit),
so e.g. points written on approval commit or roll back together with the approval.
"""
from blinker import Namespace

_signals = Namespace()

activity_approved = _signals.signal("activity-approved")          # sender=Activity, actor
activity_revoked = _signals.signal("activity-revoked")            # sender=Activity, actor, reason
stage_entered = _signals.signal("stage-entered")                  # sender=StageRecord, actor
transition_achieved = _signals.signal("transition-achieved")      # sender=TransitionState, actor
checklist_confirmed = _signals.signal("checklist-confirmed")      # sender=checklist assignment, actor
competition_result_recorded = _signals.signal("competition-result-recorded")  # sender=result, actor
mentor_changed = _signals.signal("mentor-changed")                # sender=MentorAssignment (new), actor, previous
