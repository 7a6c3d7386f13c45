"""Churn risk: signals, flags and the scan."""
