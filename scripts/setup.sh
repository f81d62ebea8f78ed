#!/usr/bin/env bash
# Set up everything aarlab needs on a fresh Debian machine: system packages (when root),
# a virtual environment with the CPU build of torch first, then the project and its dev tools.
# Idempotent: a stamp keyed by pyproject.toml skips the pip work when nothing changed.
#   scripts/setup.sh          runtime + dev dependencies
#   scripts/setup.sh --test   also the system packages the tests need (chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}
WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1

need_apt=()
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
if [ "$WANT_TEST" = 1 ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  [ -d /usr/share/wordnet ] || need_apt+=(wordnet-base)  # the wordnet build script's test
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${need_apt[*]}" >&2
    echo "setup: install them with: sudo apt-get install ${need_apt[*]}" >&2
    echo "setup: (bubblewrap is the researchers' sandbox; chromium runs the dashboard tests; wordnet-base feeds the wordnet build test)" >&2
    [ "$WANT_TEST" = 1 ] && exit 1
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.aarlab-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$VENV/bin/pip" install -q --upgrade pip
  # the CPU build first: a plain `torch` would pull gigabytes of CUDA packages
  "$VENV/bin/pip" install -q torch==2.13.0
  "$VENV/bin/pip" install -q -e '.[dev]'
  echo "$want" > "$stamp"
  echo "setup: $VENV ready"
fi
