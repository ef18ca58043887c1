"""What sales split by (a channel, a category, a campaign, a users' segment), and the SQL
that finds each order's or line's group in the store: every group is read from the events
themselves, so a breakdown needs no backfill when the rule changes."""

from enum import StrEnum


class Dimension(StrEnum):
    CHANNEL = "channel"
    CATEGORY = "category"
    CAMPAIGN = "campaign"
    SEGMENT = "segment"


class Channel(StrEnum):
    """What brought an order about, read from its attribution, the first that applies."""

    FLASH_SALE = "flash_sale"  # attribution.flash_reservation_id
    GROUP_BUY = "group_buy"  # attribution.group_id
    BARGAIN = "bargain"  # attribution.bargain_id
    CONTENT = "content"  # attribution.content_id
    CAMPAIGN = "campaign"  # attribution.campaign_ids or coupon_ids
    DIRECT = "direct"  # none of these


_ATTRIBUTED = "JSONExtractString(data, 'attribution', '{field}') != ''"
_CHANNEL = (
    "multiIf("
    + ", ".join(
        f"{_ATTRIBUTED.format(field=field)}, '{channel}'"
        for field, channel in (
            ("flash_reservation_id", Channel.FLASH_SALE),
            ("group_id", Channel.GROUP_BUY),
            ("bargain_id", Channel.BARGAIN),
            ("content_id", Channel.CONTENT),
        )
    )
    + ", JSONLength(data, 'attribution', 'campaign_ids')"
    + f" + JSONLength(data, 'attribution', 'coupon_ids') > 0, '{Channel.CAMPAIGN}'"
    + f", '{Channel.DIRECT}')"
)

_RANGE = """time >= {start:DateTime64(3, 'UTC')} AND time < {end:DateTime64(3, 'UTC')}"""
# Orders paid and refunds completed in the range: one row each, or one per line.
_ORDERS = f"""
SELECT type = {{paid:String}} AS is_paid, time, currency, actor, subject AS order_id, amount
FROM {{db:Identifier}}.events FINAL
WHERE type IN ({{paid:String}}, {{refunded:String}}) AND {_RANGE}
"""
_LINES = f"""
SELECT type = {{paid:String}} AS is_paid, time, currency, actor, subject AS order_id,
    JSONExtractString(line, 'sku_id') AS sku_id,
    if(is_paid, JSONExtractInt(line, 'paid', 'amount'), JSONExtractInt(line, 'amount', 'amount'))
        AS amount
FROM {{db:Identifier}}.events FINAL
ARRAY JOIN JSONExtractArrayRaw(data, 'lines') AS line
WHERE type IN ({{paid:String}}, {{refunded:String}}) AND {_RANGE}
"""
# The orders those rows belong to (a refund's order may have been paid before the range).
_THEIR_ORDERS = f"""
type = {{paid:String}} AND subject IN (
    SELECT subject FROM {{db:Identifier}}.events
    WHERE type IN ({{paid:String}}, {{refunded:String}}) AND {_RANGE}
)"""
_CHANNELS = f"""
SELECT subject AS order_id, {_CHANNEL} AS breakdown
FROM {{db:Identifier}}.events FINAL WHERE {_THEIR_ORDERS}
"""
# An order counts for each campaign it names and each campaign whose coupon it used.
_CAMPAIGNS = f"""
SELECT DISTINCT order_id, breakdown FROM (
    SELECT subject AS order_id,
        arrayJoin(JSONExtract(data, 'attribution', 'campaign_ids', 'Array(String)')) AS breakdown
    FROM {{db:Identifier}}.events FINAL WHERE {_THEIR_ORDERS}
    UNION ALL
    SELECT o.order_id AS order_id, c.campaign_id AS breakdown
    FROM (
        SELECT subject AS order_id,
            arrayJoin(JSONExtract(data, 'attribution', 'coupon_ids', 'Array(String)')) AS coupon_id
        FROM {{db:Identifier}}.events FINAL WHERE {_THEIR_ORDERS}
    ) AS o
    INNER JOIN (
        SELECT subject AS coupon_id, JSONExtractString(data, 'campaign_id') AS campaign_id
        FROM {{db:Identifier}}.events FINAL
        WHERE type = {{coupon_claimed:String}} AND campaign_id != ''
    ) AS c ON o.coupon_id = c.coupon_id
)
"""
# A SKU's category is its product's latest (a product without SKUs is its own SKU).
_CATEGORIES = """
SELECT sku_id, argMax(category_id, time) AS breakdown
FROM (
    SELECT time, JSONExtractString(data, 'category_id') AS category_id,
        arrayJoin(arrayPushBack(
            arrayMap(s -> JSONExtractString(s, 'sku_id'), JSONExtractArrayRaw(data, 'skus')),
            JSONExtractString(data, 'product_id'))) AS sku_id
    FROM {db:Identifier}.events FINAL
    WHERE type IN ({product_created:String}, {product_updated:String})
)
GROUP BY sku_id
"""

# An order counts for each segment its buyer was in when it was paid: the latest of the
# buyer's entries into and exits from that segment (users' SegmentEntered / SegmentLeft,
# kept in the store like every event) at or before the payment is an entry.
_SEGMENTS = f"""
SELECT order_id, segment_id AS breakdown
FROM (
    SELECT o.order_id AS order_id, m.segment_id AS segment_id,
        argMaxIf(m.entered, m.at, m.at <= o.paid_at) AS member,
        countIf(m.at <= o.paid_at) AS known
    FROM (
        SELECT subject AS order_id, actor, time AS paid_at
        FROM {{db:Identifier}}.events FINAL WHERE {_THEIR_ORDERS}
    ) AS o
    INNER JOIN (
        SELECT subject AS user_id, JSONExtractString(data, 'segment_id') AS segment_id,
            type = {{segment_entered:String}} AS entered,
            parseDateTime64BestEffort(
                JSONExtractString(data, if(entered, 'entered_at', 'left_at')), 3, 'UTC'
            ) AS at
        FROM {{db:Identifier}}.events FINAL
        WHERE type IN ({{segment_entered:String}}, {{segment_left:String}})
    ) AS m ON o.actor = m.user_id
    GROUP BY order_id, segment_id
)
WHERE known > 0 AND member
"""

# Per dimension: the rows, what groups them, and the key they join on.
FACTS = {
    None: (_ORDERS, None, None),
    Dimension.CHANNEL: (_ORDERS, _CHANNELS, "order_id"),
    Dimension.CAMPAIGN: (_ORDERS, _CAMPAIGNS, "order_id"),
    Dimension.CATEGORY: (_LINES, _CATEGORIES, "sku_id"),
    Dimension.SEGMENT: (_ORDERS, _SEGMENTS, "order_id"),
}
