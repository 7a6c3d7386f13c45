"""The WeChat Official Account (公众号) protocol, without I/O: signatures and safe-mode
encryption (`crypto`), message XML in and out (`messages`), and a turn's replies as text
(`render`)."""
