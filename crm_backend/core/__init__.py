"""Shared infrastructure every domain uses: configuration, clock, database, models, HTTP."""
