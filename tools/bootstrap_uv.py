"""Install the pinned uv into .venv-tools/, on any Python 3.11+, without touching the system's packages.

A Debian 12 or Homebrew Python is "externally managed" (PEP 668): `pip install --user` is refused there, and
`python3 -m venv` may lack ensurepip. So: the uv wheel is downloaded with pip (downloading is allowed even
there) and its binary unpacked; a Python without pip gets a tools venv with pip instead.
Standard library only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path


def _version_of(uv: Path) -> str | None:
    if not uv.exists():
        return None
    done = subprocess.run([str(uv), "--version"], capture_output=True, text=True, check=False)
    return done.stdout.split()[1] if done.returncode == 0 and done.stdout.split()[1:] else None


def _with_venv(tools: Path, version: str) -> bool:
    try:
        venv.create(tools, with_pip=True, clear=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    done = subprocess.run(
        [str(tools / "bin" / "python"), "-m", "pip", "install", "--quiet", f"uv=={version}"], check=False
    )
    return done.returncode == 0


def _with_wheel(tools: Path, version: str) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                folder,
                f"uv=={version}",
            ],
            check=False,
        )
        wheels = list(Path(folder).glob("uv-*.whl"))
        if done.returncode != 0 or not wheels:
            return False
        with zipfile.ZipFile(wheels[0]) as wheel:
            member = next(n for n in wheel.namelist() if n.endswith(".data/scripts/uv"))
            (tools / "bin").mkdir(parents=True, exist_ok=True)
            with wheel.open(member) as source, (tools / "bin" / "uv").open("wb") as target:
                shutil.copyfileobj(source, target)
        (tools / "bin" / "uv").chmod(0o755)
    return True


def main(tools_dir: str, version: str) -> int:
    tools = Path(tools_dir).resolve()
    uv = tools / "bin" / "uv"
    if _version_of(uv) == version:
        return 0
    ways = [_with_venv] if os.environ.get("STARLING_UV_BOOTSTRAP") == "venv" else [_with_wheel, _with_venv]
    for way in ways:
        if way(tools, version) and _version_of(uv) == version:
            print(f"uv {version} is in {uv}")
            return 0
    print(
        f"Could not install uv {version}: this Python has neither venv with pip nor pip to download with. "
        "Install python3-venv (Debian: apt-get install python3-venv) or pipx, then run make again.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
