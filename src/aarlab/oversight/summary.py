"""The greppable closing lines of a verification (STYLE 8)."""

from __future__ import annotations

import math
from collections.abc import Callable

from aarlab.oversight.records import VerificationReport


def _f(x: float | None) -> str:
    return "nan" if x is None or math.isnan(x) else f"{x:.4f}"


def summary_lines(report: VerificationReport) -> list[str]:
    board = report.leaderboard()
    best = board[0] if board else None
    lines = [
        f"verified_results: {len(report.results)}",
        f"verified_ok: {sum(r.run.status == 'ok' for r in report.results)}",
        f"verified_disqualified: {sum(r.disqualified for r in report.results)}",
        f"verified_best_pgr: {_f(best.pgr.mean) if best else 'nan'}",
        f"verified_best_se: {_f(best.pgr.se) if best else 'nan'}",
        f"verified_best_method: {f'{best.method} ({best.post.author}, post {best.post.id})' if best else 'none'}",
    ]
    for ds in report.heldout:
        rows = [t for t in report.transfer if t.dataset == ds]
        row = next((t for t in rows if best and t.post_id == best.post.id), None)
        row = row or next((t for t in rows if t.method == "vanilla"), None)
        if row is None:
            continue
        lines.append(f"transfer.{ds}.method: {row.method}")
        if row.gap is not None:
            g = row.gap
            lines.append(f"transfer.{ds}.gap: {g.points:.2f} points [{g.ci95_points[0]:.2f}, "
                         f"{g.ci95_points[1]:.2f}] (weak {g.weak_acc:.4f}, ceiling {g.ceiling_acc:.4f})")
        if not row.pgr_defined:
            acc = row.accuracy.mean if row.accuracy else None
            lines.append(f"transfer.{ds}.pgr: undefined (no gap)")
            lines.append(f"transfer.{ds}.accuracy: {_f(acc)}")
            continue
        lines.append(f"transfer.{ds}.pgr: {_f(row.pgr.mean)} ± {_f(row.pgr.se)}")
        lines.append(f"transfer.{ds}.vanilla_pgr: {_f(row.vanilla_pgr.mean if row.vanilla_pgr else None)}")
        lines.append(f"transfer.{ds}.p_value: {_f(row.p_value)}")
        lines.append(f"transfer.{ds}.p_value_mcnemar: {_f(row.p_value_mcnemar)}")
    seen = set()
    for f in report.flags:
        if (f.researcher, f.flag) not in seen:
            seen.add((f.researcher, f.flag))
            lines.append(f"flag: {f.researcher} {f.flag}")
    return lines


def print_summary(report: VerificationReport, out: Callable[[str], None] = print) -> None:
    for line in summary_lines(report):
        out(line)
