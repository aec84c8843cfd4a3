"""The dependency layer is built for Lambda's platform by pip, without Docker (downloads from PyPI)."""

import pytest

from infra.app import build_app
from infra.packaging import install_dependencies

pytestmark = pytest.mark.packaging


def assert_is_a_lambda_layer(python_dir):
    assert list(python_dir.glob("pydantic_core/_pydantic_core.cpython-311-x86_64-linux-gnu.so"))
    assert (python_dir / "aws_lambda_powertools" / "__init__.py").exists()
    assert (python_dir / "email_validator").is_dir()
    assert not (python_dir / "botocore").exists()


def test_install_dependencies_fetches_manylinux_wheels_for_python_3_11(tmp_path):
    python_dir = install_dependencies(tmp_path)

    assert python_dir == tmp_path / "python"
    assert_is_a_lambda_layer(python_dir)


def test_synth_with_bundling_builds_the_layer_locally(tmp_path):
    app, stack = build_app(outdir=str(tmp_path))
    app.synth()

    layers = [path for path in tmp_path.glob("asset.*") if (path / "python").is_dir()]
    assert len(layers) == 1
    assert_is_a_lambda_layer(layers[0] / "python")
