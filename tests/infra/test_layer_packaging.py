"""The dependency layer is built by pip for the functions' runtime and architecture, without Docker.

These tests download from the package index. The layer is built once per requirements-and-platform hash
into `.cache/layer-<hash>/` (a test cache, safe to delete) and reused; without the network they fail,
saying so, rather than pass or skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import infra.packaging as packaging
from infra.app import build_app
from infra.packaging import ROOT, install_dependencies, layer_hash, pip_install_command

pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("layer")]

MARK = "Built by tests/infra/test_layer_packaging.py with infra.packaging.install_dependencies; safe to delete.\n"


@pytest.fixture(scope="module")
def layer() -> Path:
    """The layer's `python/` directory, as Lambda would unpack it."""
    cached = ROOT / ".cache" / f"layer-{layer_hash()[:16]}"
    if not (cached / "BUILT_BY_TESTS.txt").is_file():
        # Each build in a directory of its own, renamed into place whole: two test processes building at once
        # (xdist workers, two checkouts' runs) never see each other's half-built layer.
        cached.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=cached.parent, prefix=f"{cached.name}.building-"))
        try:
            install_dependencies(building)
        except subprocess.CalledProcessError as error:
            shutil.rmtree(building, ignore_errors=True)
            pytest.fail(
                f"pip could not build the Lambda layer (exit {error.returncode}): is the package index "
                f"reachable from here? The command was: {' '.join(error.cmd)}",
                pytrace=False,
            )
        (building / "BUILT_BY_TESTS.txt").write_text(MARK)
        try:
            building.rename(cached)
        except OSError:  # another process put its build there first: the same wheels
            shutil.rmtree(building, ignore_errors=True)
    return cached / "python"


def compatible(tag: str, python: str, machine: str) -> bool:
    """Whether a wheel tag (`interpreter-abi-platform`) runs on CPython `python` ("314") on Linux `machine`."""
    interpreter, abi, platform = tag.split("-")
    if platform == "any":
        return abi == "none" and interpreter in ("py3", "py2", f"cp{python}")
    if not re.fullmatch(rf"manylinux(2014|_2_\d+)_{machine}", platform):
        return False
    if abi == "abi3":
        return re.fullmatch(r"cp3(\d+)", interpreter) is not None and int(interpreter[3:]) <= int(python[1:])
    return interpreter == abi == f"cp{python}"


def test_the_platform_follows_the_functions_runtime_and_architecture():
    assert packaging.RUNTIME.name == f"python{packaging.PYTHON_VERSION}"
    assert {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}[
        packaging.ARCHITECTURE.name
    ] == packaging.PLATFORM
    command = pip_install_command(Path("requirements.txt"), Path("out"))
    assert command[command.index("--python-version") + 1] == packaging.PYTHON_VERSION
    assert command[command.index("--platform") + 1] == packaging.PLATFORM
    assert "--only-binary=:all:" in command


def test_the_layer_asset_changes_with_the_platform(monkeypatch):
    before = layer_hash()
    monkeypatch.setattr(packaging, "PLATFORM", "manylinux2014_x86_64")

    assert layer_hash() != before


def test_every_wheel_in_the_layer_is_built_for_the_runtime_and_architecture(layer):
    python = packaging.PYTHON_VERSION.replace(".", "")
    machine = "aarch64" if packaging.ARCHITECTURE.name == "arm64" else "x86_64"
    wheels = sorted(layer.glob("*.dist-info/WHEEL"))
    tags = {
        wheel.parent.name: [
            line.split(":", 1)[1].strip() for line in wheel.read_text().splitlines() if line.startswith("Tag:")
        ]
        for wheel in wheels
    }

    assert len(wheels) >= 5
    assert all(tags.values())
    assert {name: found for name, found in tags.items() if not all(compatible(t, python, machine) for t in found)} == {}
    native = [name for name, found in tags.items() if any(not t.endswith("-any") for t in found)]
    assert any(name.startswith("pydantic_core-") for name in native)


def test_the_compiled_extensions_are_for_the_runtime(layer):
    python = packaging.PYTHON_VERSION.replace(".", "")
    machine = "aarch64" if packaging.ARCHITECTURE.name == "arm64" else "x86_64"

    assert list(layer.glob(f"pydantic_core/_pydantic_core.cpython-{python}-{machine}-linux-gnu.so"))
    assert [
        path.name for path in layer.rglob("*.so") if f"-{machine}-" not in path.name and "abi3" not in path.name
    ] == []


def test_the_layer_carries_the_requirements_but_not_what_the_runtime_provides(layer):
    assert (layer / "aws_lambda_powertools" / "__init__.py").exists()
    assert (layer / "email_validator").is_dir()
    for provided in packaging.RUNTIME_PROVIDED:
        assert not (layer / provided).exists()


def test_the_tag_check_refuses_wheels_for_another_platform():
    assert compatible("cp314-cp314-manylinux_2_17_aarch64", "314", "aarch64")
    assert compatible("cp38-abi3-manylinux2014_aarch64", "314", "aarch64")
    assert compatible("py3-none-any", "314", "aarch64")
    assert not compatible("cp311-cp311-manylinux_2_17_aarch64", "314", "aarch64")
    assert not compatible("cp314-cp314-manylinux_2_17_x86_64", "314", "aarch64")
    assert not compatible("cp314-cp314-macosx_11_0_arm64", "314", "aarch64")


def test_synth_with_bundling_builds_the_layer_locally(tmp_path):
    app, _ = build_app(outdir=str(tmp_path))
    app.synth()

    layers = [path for path in tmp_path.glob("asset.*") if (path / "python").is_dir()]
    assert len(layers) == 1
    python = packaging.PYTHON_VERSION.replace(".", "")
    assert list((layers[0] / "python").glob(f"pydantic_core/_pydantic_core.cpython-{python}-*-linux-gnu.so"))


def test_every_package_in_the_layer_supports_the_runtimes_python(layer):
    from packaging.specifiers import SpecifierSet

    required = {
        metadata.parent.name: line.split(":", 1)[1].strip()
        for metadata in layer.glob("*.dist-info/METADATA")
        for line in metadata.read_text().splitlines()
        if line.startswith("Requires-Python:")
    }

    assert required
    assert {name: spec for name, spec in required.items() if packaging.PYTHON_VERSION not in SpecifierSet(spec)} == {}
