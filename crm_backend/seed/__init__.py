"""The deterministic demo data."""
