"""Secrets layer: generated application secrets and SSM parameters.

It follows the data layer because String parameters may embed data-store values (`${db.host}`, seed 001's
/{env}/db/* parameters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from config.stack_values import references_in, resolve
from modules.security import AppSecrets
from stacks.layers.context import EnvironmentContext
from stacks.layers.data import DataOutputs
from stacks.layers.encryption import EncryptionOutputs


@dataclass(frozen=True)
class SecretsOutputs:
    """ARNs (never values) of the secrets and parameters, by their config key."""

    secret_arns: Mapping[str, str]
    parameter_arns: Mapping[str, str]


def secrets_layer(
    scope: Construct, *, env: EnvironmentContext, encryption: EncryptionOutputs, data: DataOutputs
) -> SecretsOutputs:
    """Secrets from `[security.secrets]`, parameters from `[security.parameters]`, encrypted with the CMK."""
    config = env.config
    secrets = AppSecrets(
        scope,
        "secrets",
        name=env.prefix,
        project=env.project.name,
        environment=config.name,
        config=config.security,
        kms_key_arn=encryption.kms_key_arn,
        values={
            parameter: resolve(parameter_config.value, data.stack_values)
            for parameter, parameter_config in config.security.parameters.items()
            if parameter_config.value is not None and references_in(parameter_config.value)
        },
    )
    return SecretsOutputs(secret_arns=dict(secrets.secret_arns), parameter_arns=dict(secrets.parameter_arns))
