"""Password resets: a single-use, short-lived token mailed (through engagement's email path)
to the account's address, exchanged once for a new password."""
