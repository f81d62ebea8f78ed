"""Retries around an LLM call, on top of the SDK's own.

Two layers: (1) the SDK (`max_retries`, default 4 here) retries 408/409/429/5xx and connection
errors with exponential backoff from 0.5 s up to 8 s, honouring `Retry-After`/`retry-after-ms`;
(2) this bounded loop catches what survives those (a long overload — Anthropic's 529 — rate
limiting or an outage) and tries again `attempts` times with a longer exponential backoff
(`base_delay_s` × 2^k). Anything else (400, 401, 404: our request or key is wrong) is not
retried. Exhausted or not retryable, it raises `ModelError`: a system error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from aarlab.researchers.errors import ModelError

log = logging.getLogger(__name__)
T = TypeVar("T")


def with_retries(
    call: Callable[[], T], retryable: tuple[type[BaseException], ...], fatal: tuple[type[BaseException], ...],
    attempts: int = 3, base_delay_s: float = 20.0, sleep: Callable[[float], None] = time.sleep,
) -> T:
    k = 0
    while True:
        try:
            return call()
        except retryable as e:
            if k >= attempts:
                raise ModelError(f"LLM API still failing after {attempts} extra retries: {e}") from e
            delay = base_delay_s * 2**k
            k += 1
            log.warning("LLM API error (%s); retrying in %.1f s (%d/%d)", type(e).__name__, delay, k, attempts)
            sleep(delay)
        except fatal as e:
            raise ModelError(f"LLM API error: {e}") from e
