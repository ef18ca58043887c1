"""Metrics: GMV, orders, paying users and average order value over time."""
