"""Appointments: large-item delivery, installation and return pick-up times for an order."""
