"""Interactions with posts: views with dwell time, likes, favourites, shares, comments and
click-throughs to products; counted per post and published as events."""
