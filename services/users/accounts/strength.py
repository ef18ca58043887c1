"""Password strength rules: no I/O, so they run at registration and at every change alike."""

# The most used passwords of the public breach corpora that pass a length check; a login
# guessed from this list needs no brute force, so the lockout would never see it coming.
COMMON = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "87654321",
        "11111111",
        "00000000",
        "qwertyui",
        "qwerty123",
        "qwertyuiop",
        "1q2w3e4r",
        "1qaz2wsx",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "superman",
        "letmein1",
        "welcome1",
        "abc12345",
        "abcd1234",
        "admin123",
        "trustno1",
    }
)
MIN_DISTINCT = 4


def weakness(password: str, email: str) -> str | None:
    """Why `password` is too weak for the account `email`, or None when it is acceptable
    (the length limits are the schema's)."""
    lowered = password.lower()
    if lowered in COMMON:
        return "is one of the most common passwords"
    if len(set(password)) < MIN_DISTINCT:
        return f"needs at least {MIN_DISTINCT} different characters"
    if password.isdigit():
        return "must not be digits only"
    local = email.split("@", 1)[0].lower()
    if len(local) >= 3 and local in lowered:
        return "must not contain the email address"
    return None
