"""RFM: recency, frequency and monetary scores per user, against quintile or operator cut-offs."""
