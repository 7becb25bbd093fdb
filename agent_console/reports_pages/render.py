"""The Jinja2 environment of the report and public pages (autoescaped; templates live next to this module)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from agent_console.reports_pages.charts import render_chart
from agent_console.reports_pages.formatting import cell, kyiv, number
from appeals.reports.model import Report

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters.update({"cell": cell, "kyiv": kyiv, "number": number, "chart": render_chart})
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def report_fragment(report: Report) -> str:
    """The report body the staff page loads: definitions beside the figures, charts, tables."""
    return render("report_fragment.html", report=report)
