"""Asset bundling without Docker: functions and the layer are staged by plain file copies, and the layer's
third-party packages are installed by uv for Lambda's platform (arm64, the runtime's Python)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from infra.config import REPO_ROOT


def _uv() -> str:
    """uv from PATH, else the one installed beside this Python (the dev environment has it)."""
    return shutil.which("uv") or str(Path(sys.executable).parent / "uv")


_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache")


def _tree_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(REPO_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@jsii.implements(ILocalBundling)
class _CopyInto:
    """Copies source trees into the asset's output folder, each under its relative path."""

    def __init__(self, copies: list[tuple[Path, str]]) -> None:
        self._copies = copies

    def try_bundle(self, output_dir: str, *_options: Any, **_keywords: Any) -> bool:
        for source, target in self._copies:
            destination = Path(output_dir) / target
            if source.is_file():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)
            else:
                shutil.copytree(source, destination, ignore=_IGNORED, dirs_exist_ok=True)
        return True


@jsii.implements(ILocalBundling)
class _UvInstall:
    """Installs the layer's locked third-party packages for Lambda's platform into python/."""

    def __init__(self, python_version: str) -> None:
        self._python_version = python_version

    def try_bundle(self, output_dir: str, *_options: Any, **_keywords: Any) -> bool:
        requirements = Path(output_dir) / "requirements.txt"
        subprocess.run(  # noqa: S603
            [
                _uv(),
                "export",
                "--package",
                "starling-core",
                "--no-dev",
                "--no-hashes",
                "--no-emit-workspace",
                "--frozen",
                "-o",
                str(requirements),
            ],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
        subprocess.run(  # noqa: S603
            [
                _uv(),
                "pip",
                "install",
                "--quiet",
                "--target",
                str(Path(output_dir) / "python"),
                "--python-platform",
                # Lambda's python3.12 and 3.13 run on Amazon Linux 2023 (glibc 2.34): numpy's wheels
                # need manylinux_2_28.
                "aarch64-manylinux_2_28",
                "--python-version",
                self._python_version,
                "--only-binary",
                ":all:",
                "-r",
                str(requirements),
            ],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
        requirements.unlink()
        return True


def _bundling(local: ILocalBundling) -> BundlingOptions:
    # The image is never pulled: local bundling always succeeds, and no machine here has Docker.
    return BundlingOptions(image=DockerImage.from_registry("local-bundling-only"), local=local)


# Modules of the `functions` package that every function's asset carries: the package itself, and the one
# HTML page shell (standard library only) that the public pages and the redirect's 404 and 410 share.
_FUNCTIONS_COMMON = ("__init__.py", "page_shell.py", "partner_wiring.py")


def function_code(name: str) -> lambda_.Code:
    """A function's asset: the `functions` package with its common modules and this function's subpackage."""
    package = REPO_ROOT / "functions"
    source = package / name
    common = [package / module for module in _FUNCTIONS_COMMON]
    return lambda_.Code.from_asset(
        str(source),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=_tree_hash(*common, source),
        bundling=_bundling(
            _CopyInto([(path, f"functions/{path.name}") for path in common] + [(source, f"functions/{name}")])
        ),
    )


def core_layer_code() -> lambda_.Code:
    """Starling's own package, `starling`, as a layer."""
    source = REPO_ROOT / "layers" / "core" / "src" / "starling"
    return lambda_.Code.from_asset(
        str(source),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=_tree_hash(source),
        bundling=_bundling(_CopyInto([(source, "python/starling")])),
    )


def dependencies_layer_code(python_version: str) -> lambda_.Code:
    """The layer's third-party packages, rebuilt only when uv.lock changes."""
    lock = REPO_ROOT / "uv.lock"
    return lambda_.Code.from_asset(
        str(REPO_ROOT / "layers" / "core"),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=hashlib.sha256(lock.read_bytes() + python_version.encode()).hexdigest(),
        bundling=_bundling(_UvInstall(python_version)),
    )
