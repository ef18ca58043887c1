"""Retention cohorts: buyers by the week of their first order, and the weeks they came back."""
