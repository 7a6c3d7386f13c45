"""Step 3 of the complaint procedure: remedies."""
