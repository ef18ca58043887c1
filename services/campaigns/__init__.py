"""Campaign operations: the campaign calendar, coupons, flash sales, group buys, lotteries."""
