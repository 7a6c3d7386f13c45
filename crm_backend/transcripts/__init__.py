"""The transcript of record of every conversation: the customer's messages, the bot's replies and a
person's, written by the channels, read by the console and the manager's review."""
