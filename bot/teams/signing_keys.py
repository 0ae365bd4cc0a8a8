"""Keeps botbuilder's cache of Bot Framework signing keys fresh, off the event loop.

botbuilder fetches the OpenID metadata and signing keys with blocking ``requests``
calls, with no timeout, inside token validation, on the event loop: once at the first
request and again daily. A slow login.botframework.com would stall every turn. This
refresher fills that same cache from a worker thread at start-up and every few hours,
so validation always finds fresh keys and never fetches them itself.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import requests
from botframework.connector.auth import JwtTokenExtractor

from bot.background import BackgroundTask

log = logging.getLogger(__name__)


class SigningKeyRefresher:
    def __init__(self, metadata_url: str, *, every_seconds: float = 6 * 3600, timeout: float = 10.0) -> None:
        self.metadata_url = metadata_url
        self._every = every_seconds
        self._timeout = timeout
        self._background = BackgroundTask("signing-key-refresher")

    async def start(self) -> None:
        """Fetch once now (a failure is logged: botbuilder can still fetch), then keep refreshing."""
        await self.refresh()
        self._background.start(self._loop())

    async def stop(self) -> None:
        await self._background.stop()

    async def refresh(self) -> bool:
        try:
            await asyncio.to_thread(self._refresh_blocking)
        except (requests.RequestException, ValueError, KeyError) as error:
            log.warning("could not refresh the Bot Framework signing keys: %s", type(error).__name__)
            return False
        return True

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            await self.refresh()

    def _refresh_blocking(self) -> None:
        metadata = requests.get(self.metadata_url, timeout=self._timeout)
        metadata.raise_for_status()
        jwks = requests.get(metadata.json()["jwks_uri"], timeout=self._timeout)
        jwks.raise_for_status()
        keys: list[dict[str, Any]] = jwks.json()["keys"]
        cache = JwtTokenExtractor.get_open_id_metadata(self.metadata_url)
        cache.keys = keys
        cache.last_updated = datetime.now()  # botbuilder compares naive local times
