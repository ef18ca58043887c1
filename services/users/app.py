"""The users service: every domain's routers and consumers, wired by the chassis."""

from fastapi import FastAPI

from chassis.events.handlers import Handler
from chassis.http.service import Runtime, build_service
from chassis.migrations import Schema
from services.users.accounts import api as accounts_api
from services.users.accounts import models as accounts_models
from services.users.accounts import passwords
from services.users.accounts import service as accounts
from services.users.birthdays import models as birthdays_models
from services.users.checkins import api as checkins_api
from services.users.checkins import models as checkins_models
from services.users.jobs import models as jobs_models
from services.users.keys import api as keys_api
from services.users.keys import models as keys_models
from services.users.keys import service as keys
from services.users.keys import signing
from services.users.lifecycle import api as lifecycle_api
from services.users.lifecycle import consumers as lifecycle_consumers
from services.users.lifecycle import models as lifecycle_models
from services.users.logins import api as logins_api
from services.users.logins import models as logins_models
from services.users.membership import api as membership_api
from services.users.membership import consumers as membership_consumers
from services.users.membership import models as membership_models
from services.users.metrics import consumers as metrics_consumers
from services.users.metrics import models as metrics_models
from services.users.models import Base
from services.users.points import api as points_api
from services.users.points import consumers as points_consumers
from services.users.points import models as points_models
from services.users.privacy import api as privacy_api
from services.users.profiles import api as profiles_api
from services.users.profiles import models as profiles_models
from services.users.referrals import api as referrals_api
from services.users.referrals import consumers as referrals_consumers
from services.users.referrals import models as referrals_models
from services.users.resets import api as resets_api
from services.users.resets import models as resets_models
from services.users.rfm import api as rfm_api
from services.users.rfm import consumers as rfm_consumers
from services.users.rfm import models as rfm_models
from services.users.scheduler import run_schedule
from services.users.segments import api as segments_api
from services.users.segments import consumers as segments_consumers
from services.users.segments import models as segments_models
from services.users.settings import Settings
from services.users.tags import api as tags_api
from services.users.tags import consumers as tags_consumers
from services.users.tags import models as tags_models

# Every domain's tables must be on the metadata before migrations compare against it.
MODELS = (
    accounts_models,
    logins_models,
    keys_models,
    metrics_models,
    profiles_models,
    points_models,
    checkins_models,
    jobs_models,
    lifecycle_models,
    membership_models,
    rfm_models,
    segments_models,
    referrals_models,
    resets_models,
    tags_models,
    birthdays_models,
)
SCHEMA = Schema.beside(__file__, Base.metadata)


async def _prepare(runtime: Runtime) -> None:
    """Make sure a signing key and the admin account exist; verify our own tokens locally."""
    settings: Settings = runtime.settings
    async with runtime.db.session() as session:
        await keys.ensure_key(session)
        await accounts.ensure_admin(session, settings.admin_email, settings.admin_password)
        runtime.jwks.preload(signing.jwks(await keys.active_keys(session)))


def handlers(settings: Settings) -> list[Handler]:
    """Every event handler, in the order they run within one transaction per event: the
    metrics first, so that every later handler decides from fresh facts; points before
    membership, so an order earns at the tier held when it was paid; segments last, so
    they read what every other domain (tags too) made of the event."""
    return [
        *metrics_consumers.HANDLERS,
        *points_consumers.handlers(settings.points_per_currency_unit),
        *referrals_consumers.handlers(settings.referral_monthly_cap),
        *membership_consumers.handlers(settings.tier_review_period),
        *lifecycle_consumers.HANDLERS,
        *rfm_consumers.HANDLERS,
        *tags_consumers.handlers(settings.tag_evidence_window),
        *segments_consumers.HANDLERS,
    ]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    passwords.configure(settings.password_cost)
    return build_service(
        name="users",
        settings=settings,
        routers=[
            accounts_api.router,
            profiles_api.router,
            logins_api.router,
            resets_api.router,
            keys_api.router,
            points_api.router,
            checkins_api.router,
            lifecycle_api.router,
            rfm_api.router,
            membership_api.router,
            segments_api.router,
            referrals_api.router,
            privacy_api.router,
            tags_api.router,
        ],
        schema=SCHEMA,
        consumers=handlers(settings),
        on_start=[_prepare],
        background=[run_schedule],
        description="User operations: accounts, profiles, lifecycle, RFM, membership, points.",
    )
