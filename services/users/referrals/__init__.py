"""Referrals: personal invite codes, attribution of a new customer to who invited them, and
the reward of both once the invited customer's first order completes."""
