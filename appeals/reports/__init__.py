"""Report read models (domain.md §5.4): pure queries and aggregations over the register, no web imports."""
