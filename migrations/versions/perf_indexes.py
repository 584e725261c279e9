"""indexes for city-scale pages: checklist assignments by person, item and state; reviews waiting across
a scope; active trainees per unit; the people list's default order

Revision ID: perf_indexes
Revises: checklists
Create Date: 2026-11-26 01:30:00

"""
from alembic import op


revision = 'perf_indexes'
down_revision = 'checklists'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_checklist_assignments_person_item_state", "checklist_assignments", ["person_id", "item_id", "status", "due_date"]),
    ("ix_activities_status_submitted", "activities", ["status", "submitted_at", "reviewer_id", "person_id"]),
    ("ix_people_unit_position_status", "people", ["unit_id", "position", "status"]),
    ("ix_people_unit_staff_no", "people", ["unit_id", "staff_no"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
