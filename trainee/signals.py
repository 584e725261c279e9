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
# A counted competition result stops counting (corrected or withdrawn): receivers write reversing entries.
# sender=the CompetitionResult now CORRECTED, actor, reason, replacement (the new result or None).
competition_result_corrected = _signals.signal("competition-result-corrected")
# An honour or a talent-pool entry starts / stops counting. sender=Honour or TalentEntry, actor (+ reason on revoke).
honour_verified = _signals.signal("honour-verified")
honour_revoked = _signals.signal("honour-revoked")
