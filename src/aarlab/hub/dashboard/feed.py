"""Server-sent events: one poller per hub notices changes and tells every open dashboard.

The hub has no event bus, and researcher status lives in files the orchestrator writes, so a
single task polls cheap fingerprints (row counts and newest timestamps, file mtimes) once per
`interval` while at least one browser listens, and pushes the names of the topics that
changed: `posts`, `submissions`, `status`, `verified`. A page refetches the fragments that
depend on a topic (htmx `hx-trigger="sse:<topic>"`).

Every event carries the feed's version as its id. A stream ends after `max_stream_s` (the
browser reconnects at once and sends `Last-Event-ID`) and on hub shutdown, so open dashboards
never hold the server up; a reconnecting browser is told every topic that changed after the
version it saw, so nothing is missed between two streams.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable

log = logging.getLogger(__name__)
TOPICS = ("posts", "submissions", "status", "verified")
Probe = Callable[[], dict[str, str]]


class ChangeFeed:
    def __init__(self, probe: Probe, interval: float = 1.0, max_stream_s: float = 60.0,
                 keepalive_s: float = 15.0) -> None:
        self._probe = probe
        self.interval = interval
        self.max_stream_s = max_stream_s
        self.keepalive_s = keepalive_s
        self.version = 0
        self._changed_at: dict[str, int] = dict.fromkeys(TOPICS, 0)
        self._last: dict[str, str] | None = None
        self._queues: set[asyncio.Queue[tuple[int, list[str]] | None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    # ------------------------------------------------------------------ polling
    def _observe(self, fingerprints: dict[str, str]) -> list[str]:
        if self._last is None:
            self._last = fingerprints
            return []
        changed = [t for t in TOPICS if fingerprints.get(t) != self._last.get(t)]
        self._last = fingerprints
        if changed:
            self.version += 1
            for t in changed:
                self._changed_at[t] = self.version
        return changed

    async def _poll(self) -> None:
        try:
            while self._queues and not self._closed:
                try:
                    fingerprints = await asyncio.to_thread(self._probe)
                except Exception:  # noqa: BLE001 -- a failed probe is logged; the feed goes on
                    log.exception("dashboard feed: probe failed")
                else:
                    changed = self._observe(fingerprints)
                    if changed:
                        for q in list(self._queues):
                            q.put_nowait((self.version, changed))
                await asyncio.sleep(self.interval)
        finally:
            self._task = None

    async def prime(self) -> None:
        """Take the first fingerprints, so that the first stream has a baseline."""
        if self._last is None:
            self._observe(await asyncio.to_thread(self._probe))

    def since(self, version: int) -> list[str]:
        return [t for t in TOPICS if self._changed_at[t] > version]

    # ------------------------------------------------------------------ streams
    async def stream(self, last_event_id: str | None) -> AsyncIterator[str]:
        """The text/event-stream body for one browser."""
        await self.prime()
        q: asyncio.Queue[tuple[int, list[str]] | None] = asyncio.Queue()
        self._queues.add(q)
        if self._task is None and not self._closed:
            self._task = asyncio.create_task(self._poll())
        try:
            yield f"retry: 1000\nid: {self.version}\nevent: hello\ndata: {self.version}\n\n"
            seen = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
            if seen is not None and seen < self.version:
                for topic in self.since(seen):
                    yield _event(self.version, topic)
            deadline = time.monotonic() + self.max_stream_s
            while not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                try:
                    item = await asyncio.wait_for(q.get(), timeout=min(left, self.keepalive_s))
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if item is None:
                    return
                version, topics = item
                for topic in topics:
                    yield _event(version, topic)
        finally:
            self._queues.discard(q)

    def close(self) -> None:
        """End every stream (hub shutdown)."""
        self._closed = True
        for q in list(self._queues):
            q.put_nowait(None)
        if self._task is not None:
            self._task.cancel()
            self._task = None


def _event(version: int, topic: str) -> str:
    return f"id: {version}\nevent: {topic}\ndata: {topic}\n\n"
