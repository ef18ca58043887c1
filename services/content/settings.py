"""Content settings (environment prefix CONTENT_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.ratelimit import RateLimit
from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONTENT_", extra="ignore")

    service_name: str = "content"
    schedule_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often due scheduled posts are published"
    )
    recommender_retrain_seconds: float = Field(
        default=900.0, gt=0, description="How often the feed recommender retrains (also at start)"
    )
    recommender_follow_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often a replica looks for a recommender version another one trained",
    )
    recommender_factors: int = Field(
        default=64, ge=2, le=512, description="Latent factors of the recommender's ALS"
    )
    recommender_iterations: int = Field(
        default=15, ge=1, le=100, description="ALS iterations of each training"
    )
    recommender_popular: int = Field(
        default=50, ge=0, le=10_000, description="Most-had posts every feed ranks as candidates"
    )
    feed_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How long a replica keeps the newest published posts and each candidate's "
        "counters for its feeds (what it publishes or archives itself shows at once); 0 keeps "
        "none",
    )
    interaction_rate_limit: RateLimit = Field(
        default=RateLimit(limit=120, window=60),
        description="Interactions (views, reactions, shares, click-throughs) per user: a "
        "burst of `limit`, refilled over `window` seconds",
    )
    comment_rate_limit: RateLimit = Field(
        default=RateLimit(limit=10, window=60), description="Comments per user, the same way"
    )
