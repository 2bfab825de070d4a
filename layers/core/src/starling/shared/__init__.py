"""The kernel every capability shares: errors, settings, observability, ids, text and destination rules,
paging, DynamoDB helpers and email."""
