"""The demo shop page with the web widget, and its demo-only customer tokens (demo mode only)."""
