"""Request and response bodies of profiles."""

from datetime import datetime
from typing import Annotated
from uuid import UUID
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from chassis.clock import now
from chassis.http.fields import Trimmed
from contracts.users import Channel, Gender
from services.users.accounts.schemas import DisplayName
from services.users.birthdays import dates
from services.users.metrics.schemas import OrderSummary

_ZONES = frozenset(available_timezones())


def _known_zone(value: str) -> str:
    if value not in _ZONES:
        raise ValueError("is not an IANA time zone such as Asia/Shanghai")
    return value


TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_known_zone)]
# BCP 47 as storefronts send it: language, optional script, optional region (zh-Hans-CN).
Locale = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
]
City = Trimmed(100)


def _not_in_the_future(year: int) -> int:
    if year > now().year:
        raise ValueError("is in the future")
    return year


BirthYear = Annotated[int, Strict(), Field(ge=1900), AfterValidator(_not_in_the_future)]
Consented = Annotated[bool, Strict()]


class Birthday(BaseModel):
    """A birthday without its year (`birth_year` holds that, if given): 29 February is a
    birthday, celebrated on the 28th in a year without one."""

    model_config = ConfigDict(extra="forbid")

    month: Annotated[int, Strict(), Field(ge=1, le=12)]
    day: Annotated[int, Strict(), Field(ge=1, le=31)]

    @field_validator("day")
    @classmethod
    def _a_day_of_the_month(cls, day: int, info: ValidationInfo) -> int:
        month = info.data.get("month")
        if month is not None and day > dates.days_in(month):
            raise ValueError(f"month {month} has {dates.days_in(month)} days")
        return day


class ConsentOut(BaseModel):
    email: bool = False
    sms: bool = False
    push: bool = False
    in_app: bool = False


class ConsentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Consented | None = None
    sms: Consented | None = None
    push: Consented | None = None
    in_app: Consented | None = None


class ProfilePatch(BaseModel):
    """Fields to change; a field sent as null is cleared, a field left out is kept."""

    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    gender: Gender | None = None
    birth_year: BirthYear | None = None
    birthday: Birthday | None = None
    city: City | None = None
    time_zone: TimeZone | None = None
    locale: Locale | None = None
    consent: ConsentPatch | None = None

    def consent_changes(self) -> dict[Channel, bool]:
        if self.consent is None:
            return {}
        sent = self.consent.model_dump(exclude_unset=True, exclude_none=True)
        return {Channel(channel): granted for channel, granted in sent.items()}

    def profile_changes(self) -> dict:
        """The fields sent, as the profile's columns (the birthday is two)."""
        changes = self.model_dump(exclude_unset=True, exclude={"consent", "birthday"})
        if "birthday" in self.model_fields_set:
            birthday = self.birthday
            changes["birth_month"] = birthday and birthday.month
            changes["birth_day"] = birthday and birthday.day
        return changes


class MeOut(BaseModel):
    id: UUID
    email: str
    display_name: str | None
    roles: list[str]
    created_at: datetime
    gender: Gender | None = None
    birth_year: int | None = None
    birthday: Birthday | None = None
    city: str | None = None
    time_zone: str | None = None
    locale: str | None = None
    consent: ConsentOut = Field(default_factory=ConsentOut)
    orders: OrderSummary | None = None


class UserSummary(BaseModel):
    id: UUID
    email: str
    display_name: str | None
    roles: list[str]
    created_at: datetime
