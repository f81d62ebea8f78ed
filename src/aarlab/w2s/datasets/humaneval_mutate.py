"""Single-point mutants of a HumanEval solution, made by editing one token of the source text.

Edits are located with the AST but applied to the original text, so a mutant differs from the
canonical solution in exactly one place and keeps its formatting and comments (re-printing the
tree with ast.unparse would give every mutant a tell-tale style). Only the completion is mutated,
never the prompt. Kinds: comparison swap (boundary or negation), arithmetic/augmented-assignment
operator swap, and/or swap, boolean flip, integer off-by-one, negating an atomic condition or
dropping a `not`, dropping a slice bound.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

CMP = {
    "<": ("<=", ">="),
    "<=": ("<", ">"),
    ">": (">=", "<="),
    ">=": (">", "<"),
    "==": ("!=",),
    "!=": ("==",),
    "in": ("not in",),
    "not in": ("in",),
    "is": ("is not",),
    "is not": ("is",),
}
CMP_TEXT = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
ARITH = {"+": "-", "-": "+", "*": "+", "/": "*", "//": "/", "%": "//", "**": "*"}
ARITH_TEXT = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
ATOMIC = (ast.Name, ast.Call, ast.Attribute, ast.Subscript)


@dataclass(frozen=True)
class Edit:
    start: int  # character offsets into the full source
    end: int
    new: str
    what: str  # e.g. "cmp < -> <= @ line 12"


class _Locator:
    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col_bytes: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col_bytes].decode("utf-8"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end


def _op_between(src: str, lo: int, hi: int, op: str) -> tuple[int, int] | None:
    """Where operator text `op` sits in src[lo:hi], if that gap holds only it, spaces and parens."""
    gap = src[lo:hi]
    if re.sub(r"[\s()]", "", gap) != op.replace(" ", ""):
        return None
    m = re.search(r"\s+".join(re.escape(p) for p in op.split()), gap)
    return (lo + m.start(), lo + m.end()) if m else None


def find_edits(source: str, completion_start: int) -> list[Edit]:
    """Every single-point edit of source at or after completion_start, in source order."""
    tree = ast.parse(source)
    loc = _Locator(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    in_fstring = {
        id(n) for js in ast.walk(tree) if isinstance(js, ast.JoinedStr) for n in ast.walk(js)
    }
    edits: list[Edit] = []

    def add(start: int, end: int, new: str, kind: str) -> None:
        if start >= completion_start and source[start:end] != new:
            line = source.count("\n", 0, start) + 1
            edits.append(
                Edit(start, end, new, f"{kind}: {source[start:end]!r} -> {new!r} @ line {line}")
            )

    for node in ast.walk(tree):
        if id(node) in in_fstring or not hasattr(node, "lineno"):
            continue
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for i, op in enumerate(node.ops):
                text = CMP_TEXT[type(op)]
                pos = _op_between(
                    source, loc.span(operands[i])[1], loc.span(operands[i + 1])[0], text
                )
                for new in CMP[text] if pos else ():
                    add(pos[0], pos[1], new, "compare")  # type: ignore[index]
        elif isinstance(node, ast.BinOp | ast.AugAssign):
            left = node.left if isinstance(node, ast.BinOp) else node.target
            right = node.right if isinstance(node, ast.BinOp) else node.value
            sym = ARITH_TEXT.get(type(node.op))
            suffix = "" if isinstance(node, ast.BinOp) else "="
            if sym is not None:
                pos = _op_between(source, loc.span(left)[1], loc.span(right)[0], sym + suffix)
                if pos:
                    add(pos[0], pos[1], ARITH[sym] + suffix, "arith")
        elif isinstance(node, ast.BoolOp):
            word = "and" if isinstance(node.op, ast.And) else "or"
            for a, b in zip(node.values, node.values[1:], strict=False):
                pos = _op_between(source, loc.span(a)[1], loc.span(b)[0], word)
                if pos:
                    add(pos[0], pos[1], "or" if word == "and" else "and", "boolop")
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            add(*loc.span(node), str(not node.value), "bool")
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            start, end = loc.span(node)
            if source[start:end] == str(node.value):
                add(start, end, str(node.value + 1), "int")
                negated = isinstance(parents.get(node), ast.UnaryOp)
                if node.value > 0 and not (negated and node.value == 1):
                    add(start, end, str(node.value - 1), "int")
        elif isinstance(node, ast.If | ast.While | ast.IfExp):
            start, end = loc.span(node.test)
            if isinstance(node.test, ATOMIC):
                add(start, start, "not ", "negate")
            elif isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not):
                add(start, loc.span(node.test.operand)[0], "", "negate")
        elif isinstance(node, ast.Slice):
            for bound in (node.lower, node.upper):
                if bound is not None:
                    add(*loc.span(bound), "", "slice")
    edits.sort(key=lambda e: (e.start, e.end, e.new))
    return edits


def mutants(prompt: str, completion: str) -> list[tuple[str, str]]:
    """(mutated full source, description) for every edit that still parses, deduplicated."""
    source = prompt + completion
    seen = {source}
    out: list[tuple[str, str]] = []
    for e in find_edits(source, len(prompt)):
        new = source[: e.start] + e.new + source[e.end :]
        if new in seen:
            continue
        try:
            ast.parse(new)
        except SyntaxError:
            continue
        seen.add(new)
        out.append((new, e.what))
    return out
