"""Birthdays: the durable timer that announces a customer's birthday at their local midnight."""
