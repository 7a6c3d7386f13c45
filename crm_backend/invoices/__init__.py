"""E-invoices of orders: re-sending to an email, changing the title or tax number (re-issue)."""
