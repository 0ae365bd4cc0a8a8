"""minutes of meetings: drafted from the record, edited and approved by the chair

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import communities.sqltypes

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('approved_by_person_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', communities.sqltypes.UtcDateTime(), nullable=True),
    sa.Column('members_told_at', communities.sqltypes.UtcDateTime(), nullable=True),
    sa.Column('created_at', communities.sqltypes.UtcDateTime(), nullable=False),
    sa.Column('updated_at', communities.sqltypes.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id')
    )


def downgrade() -> None:
    op.drop_table('minutes')
