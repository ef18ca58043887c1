"""Recommenders (pure: numbers in, rankings out), and their offline evaluation."""
