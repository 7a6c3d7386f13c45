"""Customers: profile, bad-faith marking."""
