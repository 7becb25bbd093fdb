"""The staff console's HTML pages: one Jinja2 base layout, page shells that load their data with the user's token."""
