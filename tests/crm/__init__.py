"""Tests of the CRM backend against real SQLite and PostgreSQL databases."""
