"""The campaign calendar: typed campaigns, their windows, conflicts and lifecycle."""
