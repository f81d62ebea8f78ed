"""The change feed behind the dashboard's server-sent events."""

from __future__ import annotations

import asyncio

from aarlab.hub.dashboard.feed import ChangeFeed


def test_feed_names_changed_topics_and_resyncs_on_reconnect() -> None:
    state = {"posts": "0", "submissions": "0", "status": "a", "verified": "x"}
    feed = ChangeFeed(lambda: dict(state), interval=0.01, max_stream_s=0.3, keepalive_s=0.1)

    async def collect(last_id: str | None, change: dict[str, str] | None) -> list[str]:
        out: list[str] = []
        stream = feed.stream(last_id)
        out.append(await anext(stream))  # hello, after the baseline was taken
        if change:
            state.update(change)
        async for chunk in stream:
            out.append(chunk)
        return out

    first = asyncio.run(collect(None, {"posts": "1", "status": "b"}))
    assert first[0].startswith("retry: 1000\nid: 0\nevent: hello")
    events = [c for c in first if c.startswith("id:")]
    assert events == ["id: 1\nevent: posts\ndata: posts\n\n", "id: 1\nevent: status\ndata: status\n\n"]
    assert any(c.startswith(": keep-alive") for c in first)  # the stream stays open in between
    # a browser that saw version 0 reconnects: it is told what changed since
    again = asyncio.run(collect("0", None))
    assert [c for c in again[1:] if c.startswith("id:")] == [
        "id: 1\nevent: posts\ndata: posts\n\n", "id: 1\nevent: status\ndata: status\n\n"]
    assert [c for c in asyncio.run(collect("1", None))[1:] if c.startswith("id:")] == []


def test_close_ends_streams() -> None:
    feed = ChangeFeed(lambda: {}, interval=0.01, max_stream_s=60, keepalive_s=60)

    async def run() -> list[str]:
        stream = feed.stream(None)
        first = await anext(stream)
        asyncio.get_running_loop().call_later(0.05, feed.close)
        return [first] + [c async for c in stream]

    chunks = asyncio.run(asyncio.wait_for(run(), timeout=5))
    assert len(chunks) == 1
