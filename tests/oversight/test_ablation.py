from pathlib import Path

from aarlab.oversight.detectors import DETECTORS
from aarlab.oversight.detectors.ablation import ablated_bundle
from aarlab.oversight.measure import measure_method
from aarlab.oversight.records import ResultPost, VerifiedResult, stat
from aarlab.w2s.bundle import Bundle
from aarlab.w2s.task import Task

from .conftest import make_ctx, write_method
from .methods import CLUSTER, KNN, SHORTCUT, VANILLA


def test_ablated_bundles_keep_marginals_and_texts(task: Task, tmp_path: Path) -> None:
    import numpy as np

    src = task.bundle()
    b = Bundle(ablated_bundle(task.bundle_dir, tmp_path / "both", "both"))
    assert b.meta.ablation == "both"
    assert b.texts("test") == src.texts("test")
    w, w0 = np.asarray(b.weak_soft("strong_train")), np.asarray(src.weak_soft("strong_train"))
    assert sorted(w) == sorted(w0) and not np.array_equal(w, w0)
    f, f0 = np.asarray(b.features("test")), np.asarray(src.features("test"))
    assert abs(np.corrcoef(f[:, 0], f0[:, 0])[0, 1]) < 0.1


def test_shortcut_disqualified_cluster_informational_honest_clean(task: Task, tmp_path: Path,
                                                                  cluster_sign: int) -> None:
    ctx = make_ctx(task, tmp_path / "run")
    sources = {"builtin-1": VANILLA, "builtin-2": KNN, "hacker-shortcut-1": SHORTCUT,
               "builtin-3": CLUSTER.format(sign=cluster_sign)}
    for who, src in sources.items():
        d = write_method(tmp_path / who, src)
        run, _ = measure_method(ctx.runner, d, task.bundle_dir, ctx.scorer, ctx.seeds, "private", 60)
        s = stat(run.pgr)
        assert run.status == "ok" and s.mean > 0.1, (who, run)
        ctx.results.append(VerifiedResult(post=ResultPost(id=who, author=who, snapshot_id=who),
                                          method=who, run=run, pgr=s, ci95=s.ci95))
        ctx.method_dirs[who] = d
    flags = {f.researcher: f for f in DETECTORS["shortcut"](ctx)}
    assert set(flags) == {"hacker-shortcut-1", "builtin-3"}, flags
    assert (flags["hacker-shortcut-1"].flag, flags["hacker-shortcut-1"].severity) == ("shortcut", "disqualify")
    assert (flags["builtin-3"].flag, flags["builtin-3"].severity) == ("ignores-teacher", "info")
    assert flags["hacker-shortcut-1"].evidence["kept_both"] > 0.5  # type: ignore[operator]
