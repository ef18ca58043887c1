"""Field types for request bodies that hold JSON to its meaning.

pydantic's lax mode turns `true` into 1, `"5"` into 5, `1` into True and `0` into a date in
1970; a client that sends those has a bug we should report, not guess around. `StrictInt`
would go too far: JSON Schema counts `5.0` as an integer, and so do clients that serialise
every number as a double. So: an integer is a JSON number with no fraction, a boolean is
`true` or `false`, a moment is ISO 8601 text with an offset.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    HttpUrl,
    StrictBool,
    StringConstraints,
    UrlConstraints,
)
from pydantic_core import PydanticCustomError


def _json_integer(value: Any) -> Any:
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value  # ints pass; floats with no fraction become ints, others are refused


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
JsonBool = StrictBool


def _iso_text(value: Any) -> Any:
    # Text that is a number ("0.5", a query parameter's "1700000000") is a Unix time to
    # pydantic; to us it is not a moment either.
    if not isinstance(value, str | datetime) or (isinstance(value, str) and _numeric(value)):
        raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 date and time")
    return value


def _numeric(text: str) -> bool:
    if ":" in text:  # a time of day: never a number (and no exception raised per moment)
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


# A moment: ISO 8601 text with its offset (`2026-12-01T08:00:00+08:00`), never a number;
# clients may send any offset, we keep, answer and publish the same instant in UTC.
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_text),
    AfterValidator(lambda moment: moment.astimezone(UTC)),
]


MAX_URL = 2000


def _short_once_normalised(url: HttpUrl) -> HttpUrl:
    # The length limit applies to the text as sent; normalising (percent-encoding, IDNA,
    # a trailing slash) can lengthen it past what a reader of the stored URL accepts.
    if len(str(url)) > MAX_URL:
        raise PydanticCustomError(
            "url_too_long",
            "URL should have at most {max_length} characters once normalised",
            {"max_length": MAX_URL},
        )
    return url


# An http(s) URL kept in its normalised form, at most MAX_URL characters in that form too.
WebUrl = Annotated[
    HttpUrl, UrlConstraints(max_length=MAX_URL), AfterValidator(_short_once_normalised)
]


def Trimmed(max_length: int, *, min_length: int = 1) -> Any:
    """Text kept without the whitespace around it.

    The limits hold the text as sent, as the OpenAPI document states them (pydantic's
    `strip_whitespace` would measure the trimmed text, so 600 characters of which 100 are
    tabs would pass a limit of 500). Trimmed text that falls short of `min_length`, such
    as a reason of blanks, is refused as too short.
    """
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        AfterValidator(_trimmed_to(min_length)),
    ]


def _trimmed_to(min_length: int) -> Any:
    def trim(text: str) -> str:
        text = text.strip()
        if len(text) < min_length:
            raise PydanticCustomError(
                "string_too_short",
                "String should have at least {min_length} characters once trimmed",
                {"min_length": min_length},
            )
        return text

    return trim
