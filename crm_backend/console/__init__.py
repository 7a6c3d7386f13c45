"""The agent console: the live queue of handed-off conversations, a conversation with its
customer beside it, replies in the customer's channel, hand back and close (staff only)."""
