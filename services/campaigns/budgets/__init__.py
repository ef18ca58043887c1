"""Campaign budgets: spend taken atomically against each campaign's budget, and given back
exactly."""
