"""The live dashboard at `/`: team, leaderboard, PGR over time, forum, flags; live by SSE."""

from aarlab.hub.dashboard.auth import ensure_viewer_token
from aarlab.hub.dashboard.router import router

__all__ = ["ensure_viewer_token", "router"]
