"""Recipient opt-outs: the keywords recipients reply with to stop, restart or ask for help."""
