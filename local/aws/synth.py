"""Synthesize the CDK app's template once per change of its sources, cached under `.cache/`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ROOT / ".cache"
SOURCE_DIRS = ("infra", "functions")
SOURCE_FILES = ("cdk.json", "pyproject.toml")
_IGNORED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", "cdk.out", "node_modules"}


def source_hash(root: Path = ROOT) -> str:
    """A digest of every file the template depends on: infra/, functions/, cdk.json, pyproject.toml."""
    digest = hashlib.sha256()
    paths = [
        path
        for directory in SOURCE_DIRS
        for path in (root / directory).rglob("*")
        if path.is_file()
        and not _IGNORED_PARTS.intersection(path.relative_to(root).parts)
        and path.suffix not in (".pyc", ".pyo")
    ]
    paths += [root / name for name in SOURCE_FILES if (root / name).is_file()]
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def cached_path(root: Path = ROOT) -> Path:
    """Where the template of the sources as they are now is cached (the file exists once synthesized)."""
    return root / ".cache" / f"template-{source_hash(root)}.json"


def template(refresh: bool = False, root: Path = ROOT) -> dict[str, Any]:
    """The synthesized template; reused from the cache while the sources' hash is unchanged."""
    cached = cached_path(root)
    if cached.is_file() and not refresh:
        return dict(json.loads(cached.read_text()))
    from infra.app import synthesize_template  # the CDK import costs seconds: only on a cache miss

    synthesized = synthesize_template()
    cached.parent.mkdir(parents=True, exist_ok=True)
    for stale in cached.parent.glob("template-*.json"):
        stale.unlink()
    temporary = cached.with_suffix(".tmp")
    temporary.write_text(json.dumps(synthesized, indent=1, sort_keys=True))
    temporary.replace(cached)
    return dict(synthesized)
