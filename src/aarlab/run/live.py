"""The live view: one row per researcher, read from their status files."""

from __future__ import annotations

from rich.table import Table

from aarlab.rundir import ResearcherStatus, RunPaths, RunState, read_status


def statuses(paths: RunPaths, state: RunState) -> dict[str, ResearcherStatus]:
    out = {}
    for name in state.members:
        st = read_status(paths.researcher(name).status)
        out[name] = st or ResearcherStatus(name=name)
    return out


def team_table(paths: RunPaths, state: RunState, remaining_s: float) -> Table:
    t = Table(title=f"aarlab run {paths.root.name} — {max(0.0, remaining_s) / 60:.1f} min left", expand=True)
    for col in ("researcher", "direction", "state", "activity", "exp", "subs left", "best PGR", "tokens", "USD"):
        t.add_column(col, overflow="ellipsis", no_wrap=True)
    for name, st in statuses(paths, state).items():
        m = state.members[name]
        shown_state = m.status if m.status in ("crashed", "finished", "stopped") else st.state
        t.add_row(
            name, (m.direction or "—")[:28], shown_state, st.activity[:40], str(st.experiments),
            "—" if st.submissions_left is None else str(st.submissions_left),
            "—" if st.best_public_pgr is None else f"{st.best_public_pgr:.3f}",
            str(st.tokens_in + st.tokens_out), f"{st.usd:.2f}",
        )
    return t
