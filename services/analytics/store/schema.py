"""The event store's tables (ClickHouse DDL), applied at start; each statement idempotent.

`events` keeps every event once: ReplacingMergeTree on the sorting key (type, time, id), so a
copy written twice (a redelivery racing another writer) collapses in the background, and
reads say FINAL to see one row meanwhile; `record` also leaves out ids already stored.
Monthly partitions bound what a time-range query reads and what a retention drop removes.
`identities` links an anonymous id to the user it turned out to be (the latest link wins).
A change to these tables is a new statement appended here (ALTER ... ADD COLUMN IF NOT
EXISTS), never an edit of one that has run.
"""

STATEMENTS = (
    "CREATE DATABASE IF NOT EXISTS {db:Identifier}",
    """
    CREATE TABLE IF NOT EXISTS {db:Identifier}.events (
        id UUID,
        type LowCardinality(String),
        name LowCardinality(String) COMMENT 'behaviour name (page_view...), else the type',
        source LowCardinality(String),
        subject String,
        time DateTime64(3, 'UTC') COMMENT 'when it happened: client time for behaviour',
        actor String COMMENT 'who: the user id, else the anonymous id; empty for none',
        user_id String,
        anonymous_id String,
        amount Int64 COMMENT 'minor units: paid lines of an order, or a refund',
        currency LowCardinality(String),
        data String COMMENT 'the payload, JSON',
        stored_at DateTime64(3, 'UTC') DEFAULT now64(3),
        INDEX id_bloom id TYPE bloom_filter GRANULARITY 4,
        INDEX subject_bloom subject TYPE bloom_filter GRANULARITY 4
    )
    ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMM(time)
    ORDER BY (type, time, id)
    """,
    """
    CREATE TABLE IF NOT EXISTS {db:Identifier}.identities (
        anonymous_id String,
        user_id String,
        linked_at DateTime64(3, 'UTC')
    )
    ENGINE = ReplacingMergeTree(linked_at)
    ORDER BY anonymous_id
    """,
    # Behaviour judged a bot's at collection: stored, not counted.
    """
    ALTER TABLE {db:Identifier}.events
    ADD COLUMN IF NOT EXISTS bot_signals Array(LowCardinality(String))
        COMMENT 'why collection judged it a bot''s; empty: a person''s' AFTER data
    """,
    # GMV, orders and refunds per day and currency (store/rollups.py): the latest recount of
    # a day, `events` being how many events it summed.
    """
    CREATE TABLE IF NOT EXISTS {db:Identifier}.sales_daily (
        day Date,
        currency LowCardinality(String),
        gmv Int64,
        orders UInt64,
        refunded Int64,
        events UInt64 COMMENT 'events summed: the version, a later recount sees more'
    )
    ENGINE = ReplacingMergeTree(events)
    ORDER BY (day, currency)
    """,
    # Users entering and leaving each lifecycle stage per day (store/rollups.py): the latest
    # recount of a day, `events` being how many events touched the stage that day.
    """
    CREATE TABLE IF NOT EXISTS {db:Identifier}.lifecycle_daily (
        day Date,
        stage LowCardinality(String),
        entered UInt64,
        exited UInt64,
        events UInt64 COMMENT 'events summed: the version, a later recount sees more'
    )
    ENGINE = ReplacingMergeTree(events)
    ORDER BY (day, stage)
    """,
    # Users entering and leaving each RFM layer and each RFM code per day (store/rollups.py):
    # `grouping` says which (`layer` or `code`), `label` the layer or the code; the latest
    # recount of a day, `events` being how many moves it summed.
    """
    CREATE TABLE IF NOT EXISTS {db:Identifier}.rfm_daily (
        day Date,
        grouping LowCardinality(String) COMMENT '`layer` or `code`',
        label LowCardinality(String) COMMENT 'the layer (important_value...) or the code (543)',
        entered UInt64,
        exited UInt64,
        events UInt64 COMMENT 'moves summed: the version, a later recount sees more'
    )
    ENGINE = ReplacingMergeTree(events)
    ORDER BY (day, grouping, label)
    """,
)
