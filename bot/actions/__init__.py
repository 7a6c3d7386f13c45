"""Custom actions of the Kefu assistant, served by `rasa run actions --actions bot.actions`."""
