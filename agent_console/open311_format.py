"""Open311 GeoReport v2 wire formats: JSON, and schemaless XML with the spec's element names; errors as a list of {code, description}."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.responses import JSONResponse, Response

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
_ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, str(key)), child)
    elif isinstance(value, list | tuple):
        for item in value:
            _fill(ET.SubElement(element, _ITEM.get(element.tag, "item")), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """`value` under `<root>`; lists repeat the singular element (`services` → `service`)."""
    element = ET.Element(root)
    _fill(element, value)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def render(fmt: str, root: str, value: Any, *, status_code: int = 200) -> Response:
    """The response in the requested format; JSON is the XML's Spark-convention mapping (lists stay lists)."""
    if fmt == "xml":
        return Response(to_xml(root, value), status_code=status_code, media_type=XML_TYPE)
    return JSONResponse(value, status_code=status_code, media_type=JSON_TYPE)


def errors(fmt: str, status_code: int, problems: Sequence[tuple[str | int, str]]) -> Response:
    """The GeoReport error body: a list of {code, description} (several when several fields are wrong)."""
    body = [{"code": code, "description": description} for code, description in problems]
    return render(fmt, "errors", body, status_code=status_code)
