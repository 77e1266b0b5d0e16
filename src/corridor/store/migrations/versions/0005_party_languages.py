"""The languages each party reads, in which its agreements are printed beside English.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 07:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Parties registered before this revision read English only, until they say otherwise.
    with op.batch_alter_table("parties") as table:
        table.add_column(sa.Column("languages", _JSON, nullable=False,
                                   server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("parties") as table:
        table.drop_column("languages")
