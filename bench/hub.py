"""Hub throughput: sustained scored submissions/s and latency with concurrent clients.

Starts the hub (uvicorn, one worker, loopback TCP, SQLite WAL + synchronous=FULL) as a
subprocess on a synthetic task of 5,000 test items, registers one researcher per client, and
runs CLIENTS keep-alive connections (one asyncio process, prebuilt requests of 5,000
probabilities) that each POST /v1/submissions back to back for DURATION seconds after a warm-up.
Client and server share this machine's cores: the figures include that contention.

    .venv/bin/python bench/hub.py [--clients 32] [--duration 15] [--n-test 5000] [--rate 500]

Closed loop (default) measures the most the hub sustains; with 32 clients back to back,
Little's law makes mean latency = 32 / throughput (64 ms at 500/s), so the p99 target is
judged in open loop (`--rate 500`: sends on a fixed schedule, latency from the scheduled time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

import httpx
import numpy as np

from aarlab.hub.config import BudgetConfig, HubConfig
from aarlab.w2s.answer_key import AnswerKey, AnswerKeyMeta, SeedBaseline


def synthetic_key(key_dir: Path, n_test: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n_test)
    public = rng.permutation(np.arange(n_test) % 2 == 0)
    weak = np.where(rng.random(n_test) < 0.7, y, 1 - y).astype(np.float32)
    ceil = np.where(rng.random((1, n_test)) < 0.8, y, 1 - y).astype(np.float32)
    meta = AnswerKeyMeta(dataset="bench", task_id="bench-0", n_test=n_test,
                         n_public=int(public.sum()), weak_acc=0.7, weak_acc_public=0.7,
                         weak_acc_private=0.7,
                         seeds=[SeedBaseline(seed=0, ceiling_acc=0.8, ceiling_acc_public=0.8,
                                             ceiling_acc_private=0.8)])
    AnswerKey(meta, {"labels_test": y, "public_test": public, "labels_strong_train": y[:10],
                     "weak_p_test": weak, "ceiling_p_test": ceil}).save(key_dir)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_hub(run_dir: Path, port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "from aarlab.cli import main; main()", "hub",
           "--run-dir", str(run_dir), "--port", str(port), "--log-level", "warning"]
    with open(run_dir / "hub.log", "wb") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"hub did not start; see {run_dir / 'hub.log'}")


async def client(port: int, token: str, bodies: list[bytes], t_start: float, t_end: float,
                 lat: list[float], errors: list[int], interval: float | None = None,
                 offset: float = 0.0) -> None:
    """One keep-alive connection posting back to back. Requests are prebuilt bytes and the
    response is read by Content-Length: a wrk-like load generator, so that the client's own
    CPU takes as little as possible from the cores it shares with the hub."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    heads = [(f"POST /v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
              f"Content-Length: {len(b)}\r\n\r\n").encode() + b for b in bodies]
    i = 0
    t_next = t_start - 1.0 + offset  # open loop: scheduled sends, 1 s of warm-up at the rate
    while True:
        t0 = time.perf_counter()
        if interval is not None:  # latency counts from the scheduled time (no coordinated omission)
            t_next += interval
            if t_next > t0:
                await asyncio.sleep(t_next - t0)
            t0 = t_next
        if t0 >= t_end:
            break
        writer.write(heads[i % len(heads)])
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        t1 = time.perf_counter()
        i += 1
        if t0 >= t_start:  # after warm-up
            if status == 200:
                lat.append(t1 - t0)
            else:
                errors.append(status)
    writer.close()


async def load(port: int, tokens: list[str], bodies: list[bytes], warmup: float,
               duration: float, rate: float | None = None) -> tuple[list[float], list[int]]:
    lat: list[float] = []
    errors: list[int] = []
    t_start = time.perf_counter() + warmup
    interval = None if rate is None else len(tokens) / rate
    await asyncio.gather(*(client(port, tok, bodies, t_start, t_start + duration, lat, errors,
                                  interval, (interval or 0.0) * k / len(tokens))
                           for k, tok in enumerate(tokens)))
    return lat, errors


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=15.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--n-test", type=int, default=5000)
    ap.add_argument("--rate", type=float, default=None,
                    help="open loop: total submissions/s spread over the clients (default: "
                         "closed loop, each client back to back)")
    ap.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="aarlab-bench-hub-") as tmp:
        run_dir = Path(tmp) / "run"
        run_dir.mkdir()
        synthetic_key(Path(tmp) / "key", args.n_test)
        HubConfig(tasks={"bench": Path(tmp) / "key"},
                  budgets=BudgetConfig(total=10**9, per_hour=10**9),
                  sqlite_synchronous=args.synchronous).save(run_dir)
        port = free_port()
        proc = start_hub(run_dir, port)
        try:
            admin = {"Authorization": f"Bearer {(run_dir / 'admin_token').read_text().strip()}"}
            tokens = [httpx.post(f"http://127.0.0.1:{port}/v1/researchers", headers=admin,
                                 json={"name": f"bench{i}"}, timeout=30).json()["token"]
                      for i in range(args.clients)]
            rng = np.random.default_rng(1)
            bodies = [json.dumps({"dataset": "bench", "predictions": np.round(
                rng.random(args.n_test), 4).tolist()}).encode() for _ in range(16)]
            lat, errors = asyncio.run(load(port, tokens, bodies, args.warmup, args.duration,
                                           args.rate))
            ms = np.asarray(lat) * 1000
            print(f"clients: {args.clients}")
            print("mode: " + (f"open loop at {args.rate:.0f}/s" if args.rate else "closed loop"))
            print(f"n_test: {args.n_test}")
            print(f"body_bytes: {len(bodies[0])}")
            print(f"duration_s: {args.duration:.1f}")
            print(f"submissions: {len(lat)}")
            print(f"errors: {len(errors)}")
            print(f"cpus: {os.cpu_count()}")
            print(f"loadavg_1m: {os.getloadavg()[0]:.2f}")
            print(f"sqlite_synchronous: {args.synchronous}")
            print(f"http: {'httptools' if find_spec('httptools') else 'h11'}")
            print(f"loop: {'uvloop' if find_spec('uvloop') else 'asyncio'}")
            print(f"submissions_per_s: {len(lat) / args.duration:.1f}")
            print(f"p50_ms: {np.percentile(ms, 50):.1f}")
            print(f"p99_ms: {np.percentile(ms, 99):.1f}")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
