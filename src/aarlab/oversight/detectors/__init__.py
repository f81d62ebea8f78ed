"""Reward-hack detectors; importing this package registers each (see `DETECTORS`)."""

from aarlab.oversight.detectors import (  # noqa: F401  (registration side effects)
    ablation,
    forbidden,
    overfit,
    probing,
    reproduce,
)
from aarlab.oversight.detectors.base import DETECTORS, Detector, DetectorContext, register

__all__ = ["DETECTORS", "Detector", "DetectorContext", "register"]
