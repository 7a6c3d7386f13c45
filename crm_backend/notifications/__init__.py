"""Staff notifications."""
