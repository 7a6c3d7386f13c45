"""Kefu's own dialogue policies (Rasa graph components listed in config.yml)."""
