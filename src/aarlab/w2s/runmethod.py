"""Run a method directory on a bundle over seeds, with label-free diagnostics.

    python -m aarlab.w2s.runmethod METHOD_DIR --bundle /bundle --seeds 0 1 2 --out preds.npy

Writes the mean test predictions over seeds to --out (and per-seed ones to --out-all) and
prints one JSON line of diagnostics. Nothing here reads a label: this runs inside sandboxes.
A broken method prints {"error": ...} and exits 1, with the traceback on stderr.

This is the one way a method is measured, in a researcher's `run_method` and in the verifier's
re-runs alike, and it runs the method's code under the method guard (`aarlab.w2s.guard`,
installed before the method is imported): no new process, no socket, hence no network and no
hub socket. A method that tries gets {"error": "methods may not start processes ..."}.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

from aarlab.w2s import guard as method_guard
from aarlab.w2s.bundle import Bundle, subset_bundle
from aarlab.w2s.methods import MethodError, check_predictions, load_method_file


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean((np.asarray(a) >= 0.5) == (np.asarray(b) >= 0.5)))


def blind_seed(salt: str, seed: int) -> int:
    """The seed a method is given for requested `seed`: a keyed hash, uniform over 31 bits.
    Research (a per-researcher secret salt) and verification (a fresh random one) look alike."""
    return int.from_bytes(hashlib.sha256(f"{salt}:{seed}".encode()).digest()[:4], "big") >> 1


def run(method_dir: Path, bundle: Bundle, seeds: list[int], holdout: float) -> tuple[np.ndarray, dict[str, object]]:
    fn = load_method_file(method_dir)
    t0 = time.perf_counter()
    preds = np.stack([check_predictions(fn(bundle, s), bundle.n_test) for s in seeds])  # (seeds, n_test)
    mean = preds.mean(axis=0)
    diag: dict[str, object] = {
        "n_test": bundle.n_test,
        "seeds": seeds,
        "seconds": round(time.perf_counter() - t0, 3),
        "positive_rate": round(float((mean >= 0.5).mean()), 4),
        "weak_agreement_test": round(agreement(mean, bundle.weak_soft("test")), 4),
        "seed_agreement": round(float(np.mean([agreement(preds[0], p) for p in preds[1:]])) if len(seeds) > 1 else 1.0, 4),
    }
    if holdout > 0:
        # hold back a slice of strong_train; agreement with the teacher there is a label-free
        # proxy (it rewards copying the teacher too, so read it beside weak_agreement_test)
        n = bundle.n("strong_train")
        perm = np.random.default_rng(12345).permutation(n)
        k = max(1, int(holdout * n))
        with tempfile.TemporaryDirectory() as tmp:
            sub = subset_bundle(bundle, Path(tmp) / "b", np.sort(perm[k:]), np.sort(perm[:k]))
            p = check_predictions(fn(sub, seeds[0]), sub.n_test)
            diag["holdout_weak_agreement"] = round(agreement(p, sub.weak_soft("test")), 4)
    return mean, diag | {"_per_seed": preds}


def main(argv: list[str] | None = None, *, guard: bool = True) -> int:
    """The command. `guard=False` only for a caller that must keep its own process unguarded
    (the guard is irrevocable for the process that installs it)."""
    ap = argparse.ArgumentParser(prog="python -m aarlab.w2s.runmethod", description=__doc__.split("\n")[1])
    ap.add_argument("method_dir", type=Path)
    ap.add_argument("--bundle", type=Path, default=Path("/bundle"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--out", type=Path, default=None, help="mean predictions (.npy)")
    ap.add_argument("--out-all", type=Path, default=None, help="per-seed predictions (.npy)")
    ap.add_argument("--holdout", type=float, default=0.0, help="share of strong_train held back")
    ap.add_argument("--seeds-stdin", action="store_true",
                    help='read {"seeds": [...], "salt": "..."} from stdin (the toolbox and the verifier '
                    "do): the method gets keyed-hash seeds, the diagnostics report those, and no "
                    "requested seed shows on the command line")
    args = ap.parse_args(argv)
    if args.seeds_stdin:
        # keyed here, before the method exists, and the request dropped: no frame or object the
        # method can reach (its callers' locals included) holds the requested seeds or the salt
        req = json.loads(sys.stdin.readline())
        args.seeds = [blind_seed(str(req["salt"]), int(s)) for s in req["seeds"]]
        del req
    try:
        bundle = Bundle(args.bundle)
        if guard:  # before the method's module is imported: its top level is the method's code too
            method_guard.install()
        mean, diag = run(args.method_dir, bundle, args.seeds, args.holdout)
    except method_guard.GuardUnavailable:
        raise  # the system's fault, not the method's
    except method_guard.ProcessBlocked as e:
        traceback.print_exc()
        print(json.dumps({"error": e.strerror}))
        return 1
    except MethodError as e:
        print(json.dumps({"error": str(e)}))
        return 1
    except Exception as e:  # the method itself raised: the researcher's bug, reported to it
        traceback.print_exc()
        hint = ""
        if isinstance(e, OSError) and e.errno == errno.EPERM:  # the kernel filter, met past the hook
            hint = f" (if it started a process or opened a socket: {method_guard.BLOCKED})"
        print(json.dumps({"error": f"{type(e).__name__}: {e}{hint}"}))
        return 1
    per_seed = diag.pop("_per_seed")
    if args.out:
        np.save(args.out, mean.astype(np.float32))
    if args.out_all:
        np.save(args.out_all, np.asarray(per_seed, dtype=np.float32))
    print(json.dumps(diag))
    return 0


if __name__ == "__main__":
    sys.exit(main())
