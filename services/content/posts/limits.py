"""The size a request to posts may have: larger than any valid post is a 413, unparsed."""

from fastapi import Request

from chassis.http.problems import Problem

# 100,000 characters of Markdown take up to 400 kB in UTF-8 (Chinese: 3 bytes each); with
# the other fields, a valid post fits well within this.
MAX_BODY_BYTES = 512 * 1024


class PayloadTooLarge(Problem):
    status, slug = 413, "payload-too-large"


async def limit_body(request: Request) -> None:
    """Refuse by the declared length. A body without one (chunked) is held to the same
    limit by the gateway, and its fields by their own maximum lengths."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body exceeds {MAX_BODY_BYTES} bytes.")
