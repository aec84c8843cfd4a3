"""The synthesized template is cached by a hash of its sources."""

from __future__ import annotations

import sys
import types

import pytest

from local.aws import synth


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "infra").mkdir()
    (tmp_path / "functions" / "notify" / "__pycache__").mkdir(parents=True)
    (tmp_path / "infra" / "stack.py").write_text("stack = 1\n")
    (tmp_path / "functions" / "notify" / "handler.py").write_text("x = 1\n")
    (tmp_path / "cdk.json").write_text("{}")
    calls = []
    fake = types.ModuleType("infra.app")
    fake.synthesize_template = lambda: calls.append(1) or {"Resources": {"N": {"Type": str(len(calls))}}}
    monkeypatch.setitem(sys.modules, "infra.app", fake)
    return tmp_path, calls


def test_template_is_synthesized_once_while_sources_are_unchanged(project):
    root, calls = project
    first = synth.template(root=root)
    assert synth.template(root=root) == first
    assert len(calls) == 1
    assert list((root / ".cache").glob("template-*.json"))


def test_a_changed_source_synthesizes_again(project):
    root, calls = project
    synth.template(root=root)
    (root / "functions" / "notify" / "handler.py").write_text("x = 2\n")
    assert synth.template(root=root)["Resources"]["N"]["Type"] == "2"
    assert len(list((root / ".cache").glob("template-*.json"))) == 1


def test_bytecode_does_not_count_and_refresh_forces_synthesis(project):
    root, calls = project
    before = synth.source_hash(root)
    (root / "functions" / "notify" / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\0")
    assert synth.source_hash(root) == before
    synth.template(root=root)
    synth.template(refresh=True, root=root)
    assert len(calls) == 2


def test_the_cached_path_exists_once_the_sources_as_they_are_are_synthesized(project):
    root, _ = project
    assert not synth.cached_path(root).is_file()
    synth.template(root=root)
    assert synth.cached_path(root).is_file()
    (root / "infra" / "stack.py").write_text("stack = 2\n")
    assert not synth.cached_path(root).is_file()
