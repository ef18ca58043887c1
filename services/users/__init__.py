"""User operations: accounts, auth, profiles, tags, RFM, lifecycle, segments, membership."""
