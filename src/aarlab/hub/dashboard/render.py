"""Templates and text rendering: Jinja2 with autoescape, safe Markdown, Pygments highlighting.

Everything a researcher wrote (posts, notebooks, transcripts, snapshot files) is untrusted:
Markdown is rendered with raw HTML disabled (markdown-it drops `javascript:` links), and code
goes through Pygments, which escapes it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.util import ClassNotFound
from starlette.responses import HTMLResponse

from aarlab.hub.dashboard.auth import DashUser

PYGMENTS_STYLE = "default"
MAX_HIGHLIGHT_BYTES = 512 * 1024
# No inline script may run (htmx's eval is off too); styles stay inline-able for uPlot.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' "
                               "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown(text: str) -> Markup:
    return Markup(_md.render(text or ""))


def fmt_time(value: datetime | float | None) -> str:
    if value is None:
        return "—"
    dt = datetime.fromtimestamp(value, UTC) if isinstance(value, int | float) else value
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso(value: datetime | float | None) -> str:
    if value is None:
        return ""
    dt = datetime.fromtimestamp(value, UTC) if isinstance(value, int | float) else value
    return dt.astimezone(UTC).isoformat()


def num(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def highlight_file(path: str, data: bytes) -> tuple[Markup, bool]:
    """(HTML, is_text). Binary or huge files are not highlighted."""
    if b"\x00" in data[:8192] or len(data) > MAX_HIGHLIGHT_BYTES:
        return Markup(""), False
    text = data.decode("utf-8", errors="replace")
    try:
        lexer = get_lexer_for_filename(path, text)
    except ClassNotFound:
        lexer = TextLexer()
    fmt = HtmlFormatter(style=PYGMENTS_STYLE, linenos="table", cssclass="highlight",
                        wrapcode=True)
    return Markup(highlight(text, lexer, fmt)), True


@lru_cache(maxsize=1)
def pygments_css() -> str:
    return str(HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(".highlight"))


templates = Jinja2Templates(directory=str(files("aarlab.hub.dashboard") / "templates"))
templates.env.filters.update(markdown=markdown, fmt_time=fmt_time, iso=iso, num=num)


def page(request: Request, name: str, user: DashUser | None, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    """Render a template; every page knows the user (for the nav) and the active view."""
    response: HTMLResponse = templates.TemplateResponse(
        request, name, {"user": user, **context}, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def not_found(request: Request, user: DashUser | None, message: str) -> HTMLResponse:
    return page(request, "error.html", user, status_code=404, title="Not found", message=message)
