"""Loyalty: tiers, the points ledger, rewards and redemption."""
