"""The hub's runtime: database, writer, scorer and token table, built once per process."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from aarlab.hub.audit import decode_predictions
from aarlab.hub.auth import Principal, TokenTable, hash_token, load_admin_token
from aarlab.hub.config import HubConfig
from aarlab.hub.db import Writer, make_engine, migrate
from aarlab.hub.models import Query, Researcher, Submission, Token
from aarlab.hub.scoring import HOUR_S, Scorer

log = logging.getLogger(__name__)


class HubState:
    def __init__(self, config: HubConfig, run_dir: Path, database_url: str,
                 admin_token: str | None) -> None:
        self.config = config
        self.run_dir = run_dir
        self.engine = make_engine(database_url, config.sqlite_synchronous)
        migrate(self.engine)
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.writer = Writer(self.engine)
        self.scorer = Scorer(config.tasks, config.budgets, config.ladder, config.score_digits)
        self.tokens = TokenTable()
        self.admin_token = load_admin_token(run_dir, admin_token)
        self._ensure_admin()
        self._load_tokens()
        self._restore_scorer()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.writer.close()
        self.engine.dispose()

    # ------------------------------------------------------------------ start-up
    def _ensure_admin(self) -> None:
        h = hash_token(self.admin_token)

        def job(s: Session) -> None:
            if s.scalar(select(Token).where(Token.token_hash == h)) is None:
                s.add(Token(token_hash=h, role="admin"))

        self.writer.run(job)

    def _load_tokens(self) -> None:
        with self.read() as s:
            rows = s.execute(select(Token, Researcher).outerjoin(
                Researcher, Token.researcher_id == Researcher.id)).all()
        for tok, res in rows:
            if tok.role == "admin":
                self.tokens.put(tok.token_hash, Principal("admin"), tok.revoked_at is not None)
            elif res is not None:
                revoked = tok.revoked_at is not None or res.revoked_at is not None
                self.tokens.put(tok.token_hash, Principal("researcher", res.id, res.name), revoked)

    def _restore_scorer(self) -> None:
        """Budgets and Ladder bests from the submissions table (the only record)."""
        hour_ago = datetime.now(UTC) - timedelta(seconds=HOUR_S)
        with self.read() as s:
            totals = s.execute(select(Submission.researcher_id, Submission.dataset,
                                      func.count()).group_by(Submission.researcher_id,
                                                             Submission.dataset)).all()
            for rid, dataset, total in totals:
                recent = s.scalars(select(Submission.created_at).where(
                    Submission.researcher_id == rid, Submission.dataset == dataset,
                    Submission.created_at > hour_ago)).all()
                best = s.execute(
                    select(Submission.id, Query.predictions)
                    .join(Query, Submission.query_id == Query.id)
                    .where(Submission.researcher_id == rid, Submission.dataset == dataset,
                           Submission.improved.is_(True))
                    .order_by(Submission.created_at.desc(), Query.id.desc()).limit(1)).first()
                self.scorer.restore(
                    rid, dataset, int(total), [t.timestamp() for t in recent],
                    None if best is None or best[1] is None else decode_predictions(best[1]),
                    None if best is None else best[0])
        log.info("hub state restored: %d researcher-dataset pairs", len(totals))
