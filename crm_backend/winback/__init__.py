"""Win-back of customers at risk, by tier."""
