"""Content operations: articles, posts, videos, live sessions, guides, reviews, topics."""
