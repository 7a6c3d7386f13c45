"""Follow-ups fired later through the bot (complaint step 4, win-back)."""
