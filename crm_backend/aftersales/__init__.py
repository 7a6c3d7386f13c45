"""After-sales requests (return, exchange, repair): their steps and what the customer does next."""
