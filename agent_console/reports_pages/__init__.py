"""Server-rendered report and public pages (Jinja2 templates, SVG charts) and CSV/XLSX export; self-contained."""
