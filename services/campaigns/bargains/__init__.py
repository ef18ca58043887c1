"""Bargains (砍价): a customer's price cut down to a floor by the friends who help."""
