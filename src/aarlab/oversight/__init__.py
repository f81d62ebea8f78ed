"""Oversight: verify claimed results on fresh seeds, a private split and held-out datasets;
detect the four known reward hacks; write the report."""

from aarlab.oversight.detectors import DETECTORS, DetectorContext
from aarlab.oversight.records import Flag, VerificationReport, VerifiedResult
from aarlab.oversight.report import write_report
from aarlab.oversight.summary import print_summary, summary_lines
from aarlab.oversight.verify import VerifyConfig, config_for_run, verify_run

__all__ = [
    "DETECTORS",
    "DetectorContext",
    "Flag",
    "VerificationReport",
    "VerifiedResult",
    "VerifyConfig",
    "config_for_run",
    "print_summary",
    "summary_lines",
    "verify_run",
    "write_report",
]
