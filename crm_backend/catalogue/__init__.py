"""The product catalogue."""
