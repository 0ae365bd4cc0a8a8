"""the school's answer when a review falls due

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 17:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import communities.sqltypes

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outcome_school_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=24), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('identifying_text_acknowledged', sa.JSON(), nullable=False),
    sa.Column('answered_by_person_id', sa.Integer(), nullable=False),
    sa.Column('answered_at', communities.sqltypes.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'review_date', name='uq_school_answer_request_review')
    )
    with op.batch_alter_table('outcome_school_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_school_answer_request_id'), ['request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outcome_school_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_school_answer_request_id'))

    op.drop_table('outcome_school_answer')
