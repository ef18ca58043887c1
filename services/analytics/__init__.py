"""Data operations: the event store, rollups, funnels, cohorts, alerts, experiments."""
