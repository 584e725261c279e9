"""What the checklist contributes to other features' pages: the quarterly analysis' due and overdue figures."""
from trainee.checklists.queries import quarter_facts
from trainee.evaluation.quarterly import QUARTER_FACTS

if quarter_facts not in QUARTER_FACTS:
    QUARTER_FACTS.append(quarter_facts)
