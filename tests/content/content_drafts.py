"""Drafts of every kind for the content tests, and a way to get one published."""

from datetime import UTC, datetime, timedelta

POSTS = "/api/v1/content/posts"


def article(**changes) -> dict:
    return {
        "kind": "article",
        "title": "Five teas for winter",
        "body": "Start with **oolong**.",
        "tags": ["测评"],
        "topics": ["tea"],
        **changes,
    }


def image_post(count: int = 3, **changes) -> dict:
    images = [{"url": f"https://cdn.example/{i}.jpg", "caption": f"look {i}"} for i in range(count)]
    return {"kind": "image", "title": "夏日穿搭", "images": images, "tags": ["搭配"], **changes}


def video(**changes) -> dict:
    return {
        "kind": "video",
        "title": "Brewing in 60 seconds",
        "video": {
            "url": "https://cdn.example/v.mp4",
            "duration_seconds": 60,
            "cover_url": "https://cdn.example/v.jpg",
        },
        "tags": ["教程"],
        **changes,
    }


def live_session(**changes) -> dict:
    starts = datetime.now(UTC) + timedelta(days=1)
    return {"kind": "live", "title": "Tea tasting live", "starts_at": starts.isoformat(), **changes}


def guide(**changes) -> dict:
    return {
        "kind": "guide",
        "title": "A tea corner in a small flat",
        "scenario": "room",
        "body": "## Shelf\n\nKeep it dry.",
        "tags": ["布置"],
        **changes,
    }


async def published(staff, author, draft: dict) -> dict:
    """A post written by `author`, submitted and approved by `staff`: published."""
    created = await author.post(POSTS, json=draft)
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    assert (await author.post(f"{POSTS}/{post_id}/submit")).status_code == 200
    approved = await staff.post(f"{POSTS}/{post_id}/approve", json={})
    assert approved.status_code == 200, approved.text
    return approved.json()
