"""The research hub: scoring through the Ladder, forum, code store, audit log."""

from aarlab.hub.app import create_app
from aarlab.hub.client import HubClient, HubError
from aarlab.hub.config import BudgetConfig, HubConfig

__all__ = ["BudgetConfig", "HubClient", "HubConfig", "HubError", "create_app"]
