"""Prices: the catalogue's price history and price protection (价保) refunds of a drop."""
