"""Orders settings (environment prefix ORDERS_)."""

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore")

    service_name: str = "orders"
    # How long an order awaits payment before it is cancelled (payment_timeout).
    payment_timeout_seconds: float = 15 * 60
    # How often the scheduler looks for orders whose payment window closed.
    payment_sweep_seconds: float = 5.0
    # The simulated provider's shared secret for signing callbacks (a real one: its own).
    payment_secret: SecretStr = SecretStr("flywheel-dev-payment-secret")
    # A callback signed further than this from now, either way, is stale.
    payment_callback_tolerance_seconds: float = 300
    payment_page_base: str = "http://127.0.0.1:8007/simulated-pay"
