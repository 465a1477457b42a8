"""required-item sign-off tallies

The compliance tallies gain the measure ``required_item`` (each verification or waiver of an
item a file was taken in with as required, by the signer's role; waivers flagged), counted as
events are recorded from now on. Existing trails are counted by rebuilding the tallies.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracking.trail import rebuild

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rebuild.rebuild(op.get_bind())


def downgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM compliance_tally WHERE measure = 'required_item'"))
