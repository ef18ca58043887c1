"""Lifecycle layering: an explicit state machine, moved by events and durable timers."""
