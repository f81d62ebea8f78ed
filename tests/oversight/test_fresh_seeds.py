"""Fresh verification seeds: drawn from the OS's secret source per verification, never a
literal a method could recognise; a resumed verification reuses them (and its re-runs)."""

from __future__ import annotations

from pathlib import Path

from aarlab.oversight.store import Store
from aarlab.oversight.verify import VerifyConfig, config_for_run


def test_seeds_are_secret_draws_kept_for_a_resume(tmp_path: Path) -> None:
    a, b = Store(tmp_path / "run-a"), Store(tmp_path / "run-b")
    sa, sb = a.fresh_seeds(5), b.fresh_seeds(5)
    assert len(set(sa)) == 5 and all(0 <= s < 2**31 for s in sa)
    assert sa != sb  # another verification, other seeds (equal with probability ~2^-155)
    assert Store(tmp_path / "run-a").fresh_seeds(5) == sa  # resumed: the same seeds
    assert Store(tmp_path / "run-a").fresh_seeds(3) == sa[:3]
    more = Store(tmp_path / "run-a").fresh_seeds(7)
    assert more[:5] == sa and len(set(more)) == 7  # asked for more: the first ones are kept


def test_no_seed_is_written_in_the_config(tmp_path: Path) -> None:
    assert VerifyConfig().seeds is None
    (tmp_path / "config.json").write_text('{"verify_seeds": 3}')
    cfg = config_for_run(tmp_path)
    assert cfg.seeds is None and cfg.n_seeds == 3
