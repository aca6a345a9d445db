"""Application secrets and SSM parameters whose secret values AWS generates and Terraform never stores.

Each generated value comes from an `ephemeral "aws_secretsmanager_random_password"` block (Terraform >= 1.11)
and is written through a write-only argument (`secret_string_wo`, `value_wo`): it exists only while Terraform
runs, never in the plan, the state or the synthesized JSON. Bumping `version` in the config makes the next
apply generate and write a new value. cdktf 0.21 has no class for ephemeral resources, so the blocks are added
to the stack's JSON with `add_override`.
"""

from __future__ import annotations

from collections.abc import Mapping

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from cdktf_cdktf_provider_aws.secretsmanager_secret_version import SecretsmanagerSecretVersion
from cdktf_cdktf_provider_aws.ssm_parameter import SsmParameter
from constructs import Construct

from config.names import parameter_prefix, resource_id
from config.security import SecurityConfig
from config.services import ServiceConfig

RANDOM_PASSWORD = "aws_secretsmanager_random_password"
"""The ephemeral resource that asks Secrets Manager's GetRandomPassword API for a value."""


class AppSecrets(Construct):
    """Secrets Manager secrets and SSM parameters declared in `[security]`, encrypted with the environment's CMK.

    Secrets are named `{name}/{key}`; parameters `{parameter_prefix or /project/environment}/{key}`. String parameters
    take their value from the config or, for values only known to the stack (a DB endpoint), from `values`.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        project: str,
        environment: str,
        config: SecurityConfig,
        kms_key_arn: str,
        values: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        values = dict(values or {})
        unknown = sorted(set(values) - set(config.parameters))
        if unknown:
            raise ValueError(f"values given for undeclared parameters: {', '.join(unknown)}")
        self._stack = TerraformStack.of(self)
        # Ephemeral blocks live at stack level, so their names carry this construct's path to stay unique.
        self._ephemeral_prefix = "_".join(
            part.replace("-", "_") for part in self.node.path.split("/")[len(self._stack.node.path.split("/")) :]
        )

        self.secret_arns: dict[str, str] = {}
        for key, secret_config in sorted(config.secrets.items()):
            ident = resource_id(key)
            secret = SecretsmanagerSecret(
                self,
                ident,
                name=f"{name}/{key}",
                description=secret_config.description or None,
                kms_key_id=kms_key_arn,
                recovery_window_in_days=config.recovery_window(key),
                tags=tags,
            )
            SecretsmanagerSecretVersion(
                self,
                f"{ident}_value",
                secret_id=secret.id,
                secret_string_wo=self._generated(
                    f"secret_{ident}", secret_config.length, secret_config.exclude_punctuation
                ),
                secret_string_wo_version=secret_config.version,
            )
            self.secret_arns[key] = secret.arn

        prefix = parameter_prefix(project, environment, config.parameter_prefix)
        self.parameter_arns: dict[str, str] = {}
        self.parameter_names: dict[str, str] = {}
        for key, parameter_config in sorted(config.parameters.items()):
            ident = f"parameter_{resource_id(key)}"
            parameter_name = f"{prefix}/{key}"
            if parameter_config.type == "SecureString":
                parameter = SsmParameter(
                    self,
                    ident,
                    name=parameter_name,
                    type="SecureString",
                    key_id=kms_key_arn,
                    description=parameter_config.description or None,
                    value_wo=self._generated(ident, parameter_config.length, parameter_config.exclude_punctuation),
                    value_wo_version=parameter_config.version,
                    tags=tags,
                )
            else:
                value = values.get(key, parameter_config.value)
                if value is None:
                    raise ValueError(
                        f"security.parameters.{key} has no value in the config and the stack supplied none"
                    )
                parameter = SsmParameter(
                    self,
                    ident,
                    name=parameter_name,
                    type=parameter_config.type,
                    description=parameter_config.description or None,
                    value=value,
                    tags=tags,
                )
            self.parameter_arns[key] = parameter.arn
            self.parameter_names[key] = parameter_name

    def _generated(self, ident: str, length: int, exclude_punctuation: bool) -> str:
        """Declare an ephemeral random password and return a reference to its value."""
        logical = f"{self._ephemeral_prefix}_{ident}"
        self._stack.add_override(
            f"ephemeral.{RANDOM_PASSWORD}.{logical}",
            {"password_length": length, "exclude_punctuation": exclude_punctuation},
        )
        return f"${{ephemeral.{RANDOM_PASSWORD}.{logical}.random_password}}"

    def arns_for(self, service: ServiceConfig) -> tuple[list[str], list[str]]:
        """The secret and parameter ARNs a service's `secret:` and `ssm:` references read, for its execution role."""
        secrets: list[str] = []
        parameters: list[str] = []
        for reference in service.secrets.values():
            kind, _, key = reference.partition(":")
            if kind == "secret" and self.secret_arns[key] not in secrets:
                secrets.append(self.secret_arns[key])
            elif kind == "ssm" and self.parameter_arns[key] not in parameters:
                parameters.append(self.parameter_arns[key])
        return secrets, parameters
