"""A secret the stack generates (a key or an HMAC secret): named stably, kept in prod, and not rotated by
AWS, for the reason its caller gives (cdk-nag SMG4)."""

from __future__ import annotations

from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import Config, acknowledge, stable_id


def generated_secret(
    scope: Construct,
    construct_id: str,
    *,
    config: Config,
    description: str,
    length: int,
    not_rotated_because: str,
    secret_name: str | None = None,
) -> secretsmanager.Secret:
    secret = secretsmanager.Secret(
        scope,
        construct_id,
        secret_name=secret_name,
        description=description,
        generate_secret_string=secretsmanager.SecretStringGenerator(password_length=length, exclude_punctuation=True),
        removal_policy=config.removal_policy,
    )
    stable_id(secret, construct_id)
    acknowledge(secret, "SMG4", not_rotated_because)
    return secret
