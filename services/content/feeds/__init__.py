"""Feeds: home, topic, product page and live sessions, ranked with a reason per item."""
