"""The first journal: people, their calibrations and their therapy sessions.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types of this revision (migrations never import the models,
# which move on): names up to 100 characters, program and site up to 200.
_NAME = sa.String(100)
_LABEL = sa.String(200)
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    op.create_table(
        "calibration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("program", _LABEL, nullable=False),
        sa.Column("site", _LABEL, nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("fit", sa.JSON(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_calibration_person_id_person"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration")),
    )
    op.create_index(op.f("ix_calibration_person_id"), "calibration", ["person_id"])
    op.create_table(
        "therapy_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("program", _LABEL, nullable=False),
        sa.Column("site", _LABEL, nullable=False),
        sa.Column("intensity_a", sa.Double(), nullable=False),
        sa.Column("minutes", sa.Double(), nullable=False),
        sa.Column("pain_before", sa.Integer(), nullable=False),
        sa.Column("pain_after", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("started_at", _TIME, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.CheckConstraint("pain_before BETWEEN 0 AND 10",
                           name=op.f("ck_therapy_session_pain_before_0_10")),
        sa.CheckConstraint("pain_after BETWEEN 0 AND 10",
                           name=op.f("ck_therapy_session_pain_after_0_10")),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_therapy_session_minutes_positive")),
        sa.CheckConstraint("intensity_a >= 0",
                           name=op.f("ck_therapy_session_intensity_nonnegative")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_therapy_session_person_id_person"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_session")),
    )
    op.create_index(op.f("ix_therapy_session_person_id"), "therapy_session", ["person_id"])
    op.create_index(op.f("ix_therapy_session_started_at"), "therapy_session", ["started_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_therapy_session_started_at"), table_name="therapy_session")
    op.drop_index(op.f("ix_therapy_session_person_id"), table_name="therapy_session")
    op.drop_table("therapy_session")
    op.drop_index(op.f("ix_calibration_person_id"), table_name="calibration")
    op.drop_table("calibration")
    op.drop_table("person")
