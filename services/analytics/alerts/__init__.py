"""Alerts: rules on sales metrics, evaluated on a schedule, fired once until they recover."""
