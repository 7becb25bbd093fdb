"""HTTP routes of the console API, one module per resource."""
