"""webhook secrets sealed at rest (chassis.secrets) under ANALYTICS_WEBHOOK_SECRETS_KEYS

Revision ID: analytics_0005
Revises: analytics_0004
Create Date: 2026-12-01 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from chassis.secrets import PREFIX
from services.analytics.settings import Settings

revision: str = "analytics_0005"
down_revision: str | None = "analytics_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULES = sa.table("alert_rules", sa.column("id", sa.Uuid()), sa.column("webhook_secret", sa.Text()))


def _each_secret(change) -> None:
    connection = op.get_bind()
    for rule_id, secret in connection.execute(sa.select(RULES.c.id, RULES.c.webhook_secret)):
        changed = change(secret)
        if changed != secret:
            connection.execute(
                RULES.update().where(RULES.c.id == rule_id).values(webhook_secret=changed)
            )


def upgrade() -> None:
    with op.batch_alter_table("alert_rules") as batch:
        batch.alter_column(
            "webhook_secret", type_=sa.Text(), existing_type=sa.String(100), existing_nullable=False
        )
    box = Settings().secret_box()  # the keys of the environment the migration runs in
    _each_secret(lambda secret: secret if secret.startswith(PREFIX) else box.seal(secret))


def downgrade() -> None:
    box = Settings().secret_box()
    _each_secret(lambda secret: box.open(secret) if secret.startswith(PREFIX) else secret)
    with op.batch_alter_table("alert_rules") as batch:
        batch.alter_column(
            "webhook_secret", type_=sa.String(100), existing_type=sa.Text(), existing_nullable=False
        )
