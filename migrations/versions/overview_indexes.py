"""index for the HR overview: transitions achieved per day across a scope

Revision ID: overview_indexes
Revises: change_counters
Create Date: 2026-11-26 04:50:00

"""
from alembic import op


revision = 'overview_indexes'
down_revision = 'change_counters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_transition_states_status_decided", "transition_states", ["status", "decided_on", "person_id"])


def downgrade():
    op.drop_index("ix_transition_states_status_decided", table_name="transition_states")
