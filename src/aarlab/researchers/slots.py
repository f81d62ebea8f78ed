"""Experiment slots: on one machine every researcher process is alive at once (an LLM
researcher mostly waits on its API), but only `--parallel` commands run at a time (by default
the number of cores). Slots are lock files under `<run_dir>/slots/` taken with flock, so they
work across processes and a crashed holder releases its slot with its death.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LocalSlots:
    def __init__(self, slot_dir: Path, slots: int, poll_s: float = 0.05) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.dir = Path(slot_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.slots = slots
        self.poll_s = poll_s

    @contextmanager
    def slot(self) -> Iterator[int]:
        while True:
            for k in range(self.slots):
                fd = os.open(self.dir / f"slot-{k}.lock", os.O_CREAT | os.O_RDWR, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                try:
                    yield k
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                return
            time.sleep(self.poll_s)
