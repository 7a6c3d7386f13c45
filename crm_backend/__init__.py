"""Kefu CRM backend: the system of record behind the customer-service bot."""
