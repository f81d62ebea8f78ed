"""One error family (STYLE 14): every exception class aarlab defines derives from `AarlabError`.

Read from the source (no import): a class counts as an exception when one of its bases is a
builtin exception, starlette's HTTPException, or another exception class of aarlab.
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import aarlab
from aarlab.errors import AarlabError, UserError

SRC = Path(aarlab.__file__).parent
BUILTIN_EXCEPTIONS = {n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)}
OUTSIDE = BUILTIN_EXCEPTIONS | {"HTTPException"}
NOT_ERRORS = {
    "hub/db.py:_Retry",  # control flow inside one function: retry a transaction
    "researchers/hackers/base.py:Stop",  # control flow: a red-team session ends
    "hub/snapshots.py:SnapshotError",  # its module is being replaced
}


def exception_classes() -> dict[str, list[str]]:
    """`path:Name` -> the names of its bases, for every class with a base."""
    out = {}
    for f in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ClassDef) and node.bases:
                bases = [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                         for b in node.bases]
                out[f"{f.relative_to(SRC)}:{node.name}"] = bases
    return out


def test_every_exception_class_is_in_the_family() -> None:
    classes = exception_classes()
    family = {"AarlabError", "UserError"}
    exceptions = set(OUTSIDE)
    changed = True
    while changed:  # close over aarlab classes deriving from aarlab classes
        changed = False
        for key, bases in classes.items():
            name = key.split(":")[1]
            if name not in exceptions and any(b in exceptions for b in bases):
                exceptions.add(name)
                changed = True
            if name not in family and any(b in family for b in bases):
                family.add(name)
                changed = True
    strays = sorted(k for k, bases in classes.items()
                    if k.split(":")[1] in exceptions and k.split(":")[1] not in family and k not in NOT_ERRORS
                    and not k.startswith("errors.py:"))
    assert not strays, f"exception classes outside the AarlabError family: {strays}"


def test_user_caused_errors_are_user_errors() -> None:
    from aarlab.hub.scoring import BudgetExceeded, PredictionError
    from aarlab.researchers.errors import ModelError, SpecError, ToolError
    from aarlab.run.hubproc import HubStartError
    from aarlab.sandbox import SandboxUnavailable
    from aarlab.w2s.datasets import DatasetError
    from aarlab.w2s.features import BackendError
    from aarlab.w2s.features.mpnet_install import InstallError
    from aarlab.w2s.methods import MethodError

    for cls in (BudgetExceeded, PredictionError, SpecError, ToolError, SandboxUnavailable, DatasetError,
                BackendError, MethodError):
        assert issubclass(cls, UserError), cls
    for fault in (ModelError, HubStartError, InstallError):  # raised with their traceback
        assert issubclass(fault, AarlabError) and not issubclass(fault, UserError), fault
    assert issubclass(PredictionError, ValueError) and issubclass(SpecError, ValueError)
