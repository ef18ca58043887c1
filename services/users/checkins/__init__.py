"""Daily check-in (签到): once per user per local day, streaks rewarded in points."""
