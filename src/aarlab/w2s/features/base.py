"""Feature backends: the protocol, spec parsing and the registry.

A backend turns texts into fixed-size float32 vectors. It is named by a spec string that
rebuilds it: `glove`, `minilm`, `mpnet`, `hf:<name-or-path>?pool=mean&layer=-1`. Building a
backend is cheap: `name`, `dim` and `fingerprint()` never load the model; the first `encode()`
does, so a cache hit never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlencode

import numpy as np

from aarlab.errors import UserError


class BackendError(UserError):
    """A backend spec is malformed, unknown or not installed; the message says how to fix it."""


@runtime_checkable
class Backend(Protocol):
    @property
    def name(self) -> str:
        """The spec string that rebuilds this backend."""
        ...

    @property
    def dim(self) -> int:
        """Width of the vectors `encode` returns."""
        ...

    def fingerprint(self) -> str:
        """Identity of the weights and options (part of the cache key); no model load."""
        ...

    def encode(self, texts: list[str]) -> np.ndarray:
        """One batch of texts -> float32 array (len(texts), dim)."""
        ...


@dataclass(frozen=True)
class BackendSpec:
    """A parsed spec: `kind[:target][?key=value&...]`."""

    kind: str
    target: str = ""
    options: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        out = self.kind + (f":{self.target}" if self.target else "")
        return out + (f"?{urlencode(sorted(self.options.items()))}" if self.options else "")

    def no_arguments(self) -> None:
        """Raise unless the spec is the bare kind (for backends that take no arguments)."""
        if self.target or self.options:
            raise BackendError(f"feature backend {self.kind!r} takes no arguments; got {str(self)!r}")


def parse_spec(spec: str) -> BackendSpec:
    head, _, query = spec.strip().partition("?")
    kind, _, target = head.partition(":")
    if not kind:
        raise BackendError(f"empty feature backend spec {spec!r}; known backends: {known()}")
    try:
        options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError as e:
        raise BackendError(f"malformed options {query!r} in feature backend spec {spec!r}") from e
    return BackendSpec(kind=kind, target=target, options=options)


Factory = Callable[[BackendSpec], Backend]
BACKENDS: dict[str, Factory] = {}


def register(kind: str) -> Callable[[Factory], Factory]:
    def deco(factory: Factory) -> Factory:
        BACKENDS[kind] = factory
        return factory

    return deco


def known() -> str:
    return ", ".join(sorted(BACKENDS)) or "(none)"


def get_backend(spec: str) -> Backend:
    """Parse `spec` and build its backend (cheap: the model loads on first `encode`)."""
    parsed = parse_spec(spec)
    if parsed.kind not in BACKENDS:
        raise BackendError(f"unknown feature backend {parsed.kind!r} in spec {spec!r}; "
                           f"known backends: {known()} (e.g. 'glove', 'hf:PATH?pool=last')")
    return BACKENDS[parsed.kind](parsed)
