"""The live-server fixtures of the browser tests, for the WebSocket hub's tests (real uvicorn, real Redis)."""

from tests.browser.conftest import db_url, hub_config, live, redis_url, staff

__all__ = ["db_url", "hub_config", "live", "redis_url", "staff"]
