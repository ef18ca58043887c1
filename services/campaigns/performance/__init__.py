"""Campaign performance: GMV attributed from paid orders, and reach, claims, redemptions,
spend and ROI per campaign."""
