"""change counters: one per person and one shared, moved by every committed write (kept fragments check them)

Revision ID: change_counters
Revises: perf_indexes
Create Date: 2026-11-26 04:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'change_counters'
down_revision = 'perf_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'change_counters',
        sa.Column('key', sa.String(length=24), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_change_counters')),
    )


def downgrade():
    op.drop_table('change_counters')
