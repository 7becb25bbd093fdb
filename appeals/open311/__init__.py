"""Open311 GeoReport v2 (domain.md §4.1): services from the category tree, public requests from issues, intake from apps."""
