"""The daily jobs and the command-line tasks behind them."""
