"""Insights for operators: hot-item candidates with the figures behind them, featured SKUs."""
