"""The monthly-payout state machine's tasks and its schedule."""
