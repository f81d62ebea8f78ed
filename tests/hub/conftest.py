"""Hub fixtures: a synthetic answer key, and every test run on SQLite and on PostgreSQL.

PostgreSQL tests use `AARLAB_TEST_POSTGRES_URL` (e.g.
`postgresql+psycopg://postgres@127.0.0.1:5432/test`); each test gets a fresh schema, dropped
afterwards, so parallel runs never collide. Without the variable, or without a reachable
server, those tests skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from aarlab.hub import HubClient, HubConfig, create_app
from aarlab.hub.config import BudgetConfig
from aarlab.w2s.answer_key import AnswerKey, AnswerKeyMeta, SeedBaseline
from aarlab.w2s.pgr import accuracy

PG_ENV = "AARLAB_TEST_POSTGRES_URL"


def make_answer_key(key_dir: Path, n_test: int = 2000, seed: int = 0, dataset: str = "toy",
                    weak: float = 0.70, ceiling: float = 0.80) -> AnswerKey:
    """Random labels, half public; teacher ~`weak` accurate, ceiling ~`ceiling`."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n_test)
    public = rng.permutation(np.arange(n_test) % 2 == 0)

    def noisy(acc: float) -> np.ndarray:
        right = rng.random(n_test) < acc
        conf = rng.uniform(0.55, 0.95, n_test)
        return np.where(right == (y == 1), conf, 1 - conf).astype(np.float32)

    w, c = noisy(weak), np.stack([noisy(ceiling) for _ in range(3)])
    meta = AnswerKeyMeta(
        dataset=dataset, task_id=f"{dataset}-{seed}", n_test=n_test, n_public=int(public.sum()),
        weak_acc=accuracy(w, y), weak_acc_public=accuracy(w[public], y[public]),
        weak_acc_private=accuracy(w[~public], y[~public]),
        seeds=[SeedBaseline(seed=s, ceiling_acc=accuracy(row, y),
                            ceiling_acc_public=accuracy(row[public], y[public]),
                            ceiling_acc_private=accuracy(row[~public], y[~public]))
               for s, row in enumerate(c)])
    key = AnswerKey(meta, {"labels_test": y, "public_test": public,
                           "labels_strong_train": rng.integers(0, 2, 10), "weak_p_test": w,
                           "ceiling_p_test": c})
    key.save(key_dir)
    return AnswerKey.load(key_dir)


@pytest.fixture(scope="session")
def postgres_base_url() -> str | None:
    """The server's URL when reachable, else None (the reason is given at skip time)."""
    url = os.environ.get(PG_ENV)
    if not url:
        return None
    try:
        eng = create_engine(url, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
    except Exception:  # noqa: BLE001 -- any failure means "not reachable": skip, say so
        return None
    return url


def _schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path,
           postgres_base_url: str | None) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
        return
    if postgres_base_url is None:
        why = ("is not set" if not os.environ.get(PG_ENV)
               else f"= {os.environ[PG_ENV]!r} is unreachable")
        pytest.skip(f"PostgreSQL tests skipped: {PG_ENV} {why}")
    schema = f"aarlab_hub_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _schema_url(postgres_base_url, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "toy"
    make_answer_key(path)
    return path


@pytest.fixture
def hub_config(db_url: str, key_dir: Path) -> HubConfig:
    return HubConfig(tasks={"toy": key_dir}, database_url=db_url,
                     budgets=BudgetConfig(total=50, per_hour=40))


AppFactory = Callable[..., HubClient]


@pytest.fixture
def make_hub(tmp_path: Path, hub_config: HubConfig) -> Iterator[AppFactory]:
    """Start a hub in-process (lifespan included) and return an admin client; overrides go
    into the config (e.g. `make_hub(ladder=False)`)."""
    clients: list[TestClient] = []

    def start(**overrides: object) -> HubClient:
        cfg = HubConfig.model_validate({**hub_config.model_dump(), **overrides})
        tc = TestClient(create_app(cfg, run_dir=tmp_path / "run"), raise_server_exceptions=False)
        tc.__enter__()
        clients.append(tc)
        return HubClient(http=tc, token=tc.app.state.hub.admin_token)  # type: ignore[attr-defined]

    yield start
    for tc in clients:
        tc.__exit__(None, None, None)


@pytest.fixture
def hub(make_hub: AppFactory) -> HubClient:
    return make_hub()


def as_researcher(admin: HubClient, name: str) -> HubClient:
    created = admin.create_researcher(name, direction=f"direction of {name}")
    return HubClient(http=admin._http, token=created.token)


@pytest.fixture
def new_researcher() -> Callable[[HubClient, str], HubClient]:
    return as_researcher


@pytest.fixture
def alice(hub: HubClient) -> HubClient:
    return as_researcher(hub, "alice")


@pytest.fixture
def bob(hub: HubClient) -> HubClient:
    return as_researcher(hub, "bob")


@pytest.fixture
def key(key_dir: Path) -> AnswerKey:
    return AnswerKey.load(key_dir)
