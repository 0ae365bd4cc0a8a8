"""retention marks on requests: when their detail and outcome text were removed

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


import communities.sqltypes

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail_removed_at', communities.sqltypes.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('outcome_text_removed_at', communities.sqltypes.UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.drop_column('outcome_text_removed_at')
        batch_op.drop_column('detail_removed_at')
