"""The event store: every domain and behaviour event, in ClickHouse."""
