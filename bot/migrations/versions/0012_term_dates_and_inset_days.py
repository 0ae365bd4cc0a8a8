"""term dates and INSET days per academic year

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 20:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


import communities.sqltypes

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('term_date',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('academic_year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('imported_at', communities.sqltypes.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('academic_year', 'kind', 'starts_on', name='uq_term_date')
    )
    with op.batch_alter_table('term_date', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_term_date_academic_year'), ['academic_year'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('term_date', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_term_date_academic_year'))

    op.drop_table('term_date')
