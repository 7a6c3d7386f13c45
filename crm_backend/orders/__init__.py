"""Orders: lookups, logistics, refunds, cancelling and changing, delivery."""
