"""Storefront search: segmented, normalized text behind one index interface."""
