"""checklists: the dual-study must-study list (items, assignments, mentor notes, attachments)

Revision ID: checklists
Revises: evaluation
Create Date: 2026-11-25 22:10:03.448904

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'checklists'
down_revision = 'evaluation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checklist_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_checklist_attachments_person_id_people')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_checklist_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_checklist_attachments_stored_name'))
    )
    with op.batch_alter_table('checklist_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_attachments_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_attachments_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('POLITICAL', 'BUSINESS', name='checklistcategory', native_enum=False, length=32), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('min_chars', sa.Integer(), nullable=False),
    sa.Column('due_months', sa.Integer(), nullable=False),
    sa.Column('order', sa.Integer(), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('retired_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_checklist_items_created_by_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_checklist_items_stage_id_stages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_items'))
    )
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_items_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_items_stage_id'), ['stage_id'], unique=False)

    op.create_table('checklist_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('assigned_on', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'SUBMITTED', 'RETURNED', 'CONFIRMED', 'EXEMPT', name='assignmentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('exempt_reason', sa.String(length=300), nullable=True),
    sa.Column('exempted_by_id', sa.Integer(), nullable=True),
    sa.Column('exempted_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['checklist_attachments.id'], name=op.f('fk_checklist_assignments_attachment_id_checklist_attachments')),
    sa.ForeignKeyConstraint(['exempted_by_id'], ['users.id'], name=op.f('fk_checklist_assignments_exempted_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_items.id'], name=op.f('fk_checklist_assignments_item_id_checklist_items')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_checklist_assignments_person_id_people')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['people.id'], name=op.f('fk_checklist_assignments_reviewer_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_assignments')),
    sa.UniqueConstraint('person_id', 'item_id', name='uq_checklist_assignments_person_item')
    )
    with op.batch_alter_table('checklist_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_assignments_attachment_id'), ['attachment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_assignments_exempted_by_id'), ['exempted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_assignments_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_assignments_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_assignments_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index('ix_checklist_assignments_status_due', ['status', 'due_date'], unique=False)

    op.create_table('checklist_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('angle', sa.Enum('POLITICAL', 'THEORETICAL', 'BUSINESS', name='noteangle', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['checklist_assignments.id'], name=op.f('fk_checklist_notes_assignment_id_checklist_assignments')),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_checklist_notes_author_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_notes'))
    )
    with op.batch_alter_table('checklist_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_notes_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_notes_author_id'), ['author_id'], unique=False)



def downgrade():
    with op.batch_alter_table('checklist_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_notes_author_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_notes_assignment_id'))

    op.drop_table('checklist_notes')
    with op.batch_alter_table('checklist_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_checklist_assignments_status_due')
        batch_op.drop_index(batch_op.f('ix_checklist_assignments_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_assignments_person_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_assignments_item_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_assignments_exempted_by_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_assignments_attachment_id'))

    op.drop_table('checklist_assignments')
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_items_stage_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_items_created_by_id'))

    op.drop_table('checklist_items')
    with op.batch_alter_table('checklist_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_attachments_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_attachments_person_id'))

    op.drop_table('checklist_attachments')
