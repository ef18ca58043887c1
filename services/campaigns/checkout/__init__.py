"""The campaigns side of checkout: an order's coupons and flash reservation through the
order saga."""
