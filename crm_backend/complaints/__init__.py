"""The four-step complaint procedure."""
