"""The web widget's script, served at a stable address for shops' pages."""
