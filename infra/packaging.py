"""Builds the Lambda dependency layer with pip for the Lambda platform, without Docker."""

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

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
REQUIREMENTS = FUNCTIONS_DIR / "requirements.txt"
# The one place the functions' runtime and architecture are chosen (docs/decisions.md 29): every function
# and the layer use them, and the layer's wheels are fetched for them.
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
PYTHON_VERSION = RUNTIME.name.removeprefix("python")  # "3.14"
# Lambda's name for the architecture against the wheel tag's (arm64 is aarch64 to pip).
_MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
# manylinux2014 wheels need glibc 2.17, which every Lambda Python runtime has (python3.14 runs on Amazon
# Linux 2023, glibc 2.34); every requirement publishes one.
PLATFORM = f"manylinux2014_{_MACHINES[ARCHITECTURE.name]}"
# The runtime ships boto3 with its matching botocore. A dependency that pulls in botocore would put a newer
# one on the layer's path, shadowing the runtime's so that it no longer matches its boto3.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")


def pip_install_command(requirements: Path, target: Path) -> list[str]:
    """The pip call that fetches wheels built for the functions' runtime and architecture, whatever the host."""
    return [
        sys.executable, "-m", "pip", "install",
        "--requirement", str(requirements),
        "--platform", PLATFORM,
        "--only-binary=:all:",
        "--implementation", "cp",
        "--python-version", PYTHON_VERSION,
        "--target", str(target),
        "--no-compile",
        "--disable-pip-version-check",
        "--quiet",
    ]  # fmt: skip


def install_dependencies(output_dir: Path, requirements: Path = REQUIREMENTS) -> Path:
    """Install the layer's packages under `<output_dir>/python`, where Lambda looks for them."""
    target = output_dir / "python"
    subprocess.run(pip_install_command(requirements, target), check=True)
    for package in RUNTIME_PROVIDED:
        for path in (target / package, *target.glob(f"{package}-*.dist-info")):
            shutil.rmtree(path, ignore_errors=True)
    return target


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """Bundles on the host, so neither `cdk synth` nor `cdk deploy` needs Docker."""

    # jsii hands the bundling options over as one struct argument; they are not needed here.
    @jsii.member(jsii_name="tryBundle")
    def try_bundle(self, output_dir: str, options: Any = None) -> bool:
        install_dependencies(Path(output_dir))
        return True


def layer_hash(requirements: Path = REQUIREMENTS) -> str:
    """What the layer's content depends on: the requirements and the platform its wheels are for."""
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"\0{PYTHON_VERSION}\0{PLATFORM}".encode())
    return digest.hexdigest()


def dependencies_layer_code() -> lambda_.Code:
    # The asset changes only when the requirements or the platform do, not with every edit to the handlers.
    return lambda_.Code.from_asset(
        str(FUNCTIONS_DIR),
        exclude=["*", "!requirements.txt"],
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=layer_hash(),
        bundling=BundlingOptions(
            # Used only when local bundling declines; kept equivalent to the local pip call.
            image=DockerImage.from_registry(f"public.ecr.aws/sam/build-python{PYTHON_VERSION}"),
            platform=ARCHITECTURE.docker_platform,
            command=[
                "bash", "-c",
                "pip install -r requirements.txt --target /asset-output/python --no-compile"
                " && cd /asset-output/python && rm -rf " + " ".join(f"{p} {p}-*.dist-info" for p in RUNTIME_PROVIDED),
            ],
            local=LocalPipBundling(),
        ),
    )  # fmt: skip
