"""Secrets sealed at rest: unreadable without the key, readable after a key rotation."""

import pytest
from cryptography.fernet import Fernet

from chassis.secrets import SecretBox, UnreadableSecret

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_sealed_secret_opens_with_its_key_and_shows_nothing_of_itself():
    box = SecretBox(OLD)
    sealed = box.seal("whsec_abc123")
    assert "whsec_abc123" not in sealed
    assert sealed != box.seal("whsec_abc123")  # a fresh IV each time
    assert box.open(sealed) == "whsec_abc123"


def test_another_key_cannot_open_it():
    with pytest.raises(UnreadableSecret, match="not given"):
        SecretBox(NEW).open(SecretBox(OLD).seal("whsec_abc123"))


def test_keys_rotate_by_putting_the_new_one_first():
    sealed = SecretBox(OLD).seal("whsec_abc123")
    rotating = SecretBox(f"{NEW}, {OLD}")
    assert rotating.open(sealed) == "whsec_abc123"
    resealed = rotating.reseal(sealed)
    assert SecretBox(NEW).open(resealed) == "whsec_abc123"  # the old key may go now


def test_text_that_was_never_sealed_is_refused():
    with pytest.raises(UnreadableSecret, match="not a sealed secret"):
        SecretBox(OLD).open("whsec_abc123")
