"""The managers' at-risk customers: filter, owners, win-back tasks, export."""
