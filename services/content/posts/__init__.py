"""Posts of every kind: article, image post, short video, live session, guide."""
