"""Kefu's Rasa stores, configured in endpoints.yml."""
