"""The Alembic environment shared by every service (see chassis.migrations)."""

from chassis.migrations import run_env

run_env()
