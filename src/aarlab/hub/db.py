"""Engine, migrations and the single writer with group commit.

SQLite runs in WAL mode with `synchronous=FULL` (default): a write is acknowledged only after
its commit reached the disk, so a `kill -9` (or a power cut) loses nothing that was answered.
(`NORMAL` skips the per-commit fsync: still safe against kill -9, not against power loss.)
One fsync costs milliseconds, so all writes go through one `Writer` thread that commits
whatever is queued in one transaction (group commit): throughput grows with concurrency while
every acknowledged write stays durable. Readers use their own connections (WAL lets them run
beside the writer). PostgreSQL gets the same writer; its commits are durable by default.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from importlib.resources import files
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")
_MAX_BATCH = 256


def make_engine(url: str, synchronous: str = "FULL") -> Engine:
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=20)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, open transactions: otherwise a SAVEPOINT
            # outside a driver-begun transaction commits on RELEASE (see SQLAlchemy's pysqlite
            # notes), which would break both atomicity and group commit.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic, scripts shipped in the package)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("aarlab.hub") / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Writer:
    """One thread that runs write jobs, committing each batch of queued jobs at once.

    A job is a function of a `Session`. By default it runs inside a SAVEPOINT, so a job that
    raises fails alone (its future gets the exception) and the rest of the batch commits.
    Hot-path jobs that only insert may skip the SAVEPOINT (`savepoint=False`); if one of them
    fails, the batch is rolled back and each job re-run in its own transaction.
    A job's future resolves only after its commit returned.
    """

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="hub-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[Session], T], savepoint: bool = True) -> Future[T]:
        fut: Future[T] = Future()
        self._queue.put(_Item(job, fut, savepoint))
        return fut

    def run(self, job: Callable[[Session], T]) -> T:
        """Blocking form, for sync code (request handlers in the thread pool)."""
        return self.submit(job).result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    # ------------------------------------------------------------------ thread
    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            stop = False
            while len(batch) < _MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            batch = [it for it in batch if it.fut.set_running_or_notify_cancel()]
            if batch and not self._commit(batch):
                for it in batch:  # isolate the failing job: one transaction each
                    self._commit([_Item(it.job, it.fut, True)])
            if stop:
                return

    def _commit(self, batch: list[_Item]) -> bool:
        """Run and commit a batch; False when a SAVEPOINT-less job failed (nothing committed)."""
        results: list[tuple[_Item, Any, BaseException | None]] = []
        try:
            with self._sessions() as session, session.begin():
                for it in batch:
                    if not it.savepoint:
                        try:
                            results.append((it, it.job(session), None))
                        except Exception:
                            if len(batch) == 1:
                                raise
                            raise _Retry from None  # leaves the transaction: rolled back
                        continue
                    try:
                        with session.begin_nested():
                            value = it.job(session)
                            session.flush()
                        results.append((it, value, None))
                    except Exception as e:  # the job's own failure; the batch goes on
                        results.append((it, None, e))
        except _Retry:
            return False
        except Exception as e:  # the commit itself failed: nothing in the batch is durable
            if len(batch) > 1:
                log.exception("hub writer: commit of %d jobs failed", len(batch))
            for it in batch:
                if not it.fut.done():
                    it.fut.set_exception(e)
            return True
        for it, value, err in results:
            if err is not None:
                it.fut.set_exception(err)
            else:
                it.fut.set_result(value)
        return True


class _Retry(Exception):
    pass


class _Item:
    __slots__ = ("job", "fut", "savepoint")

    def __init__(self, job: Callable[[Session], Any], fut: Future[Any], savepoint: bool) -> None:
        self.job, self.fut, self.savepoint = job, fut, savepoint
