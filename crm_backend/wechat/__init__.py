"""The WeChat Official Account channel's shared state: delivered messages (one answer however
often WeChat retries), the account's access token, customer-service messages sent or not, and OpenIDs
linked to customers."""
