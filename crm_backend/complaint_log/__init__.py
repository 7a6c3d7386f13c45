"""The managers' complaint log: filters, each complaint's page and the export."""
