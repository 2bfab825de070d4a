"""Reports: figures over a date range, grouped by link, partner, campaign or day."""
