"""Token lifetime: expiry, revocation and last use of each user's bearer token.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 14:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_COLUMNS = ("token_expires_at", "revoked_at", "last_used_at")


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        for name in _COLUMNS:
            table.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as table:
        for name in reversed(_COLUMNS):
            table.drop_column(name)
