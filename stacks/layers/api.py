"""API layer: the serverless HTTP API and its Lambda functions when `[api]` is enabled (seed 000).

It comes after network, security (the functions' groups), encryption, storage (the buckets and queues functions
name) and identity (the JWT issuer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from constructs import Construct

from modules.api import JwtIssuer, ServerlessApi
from modules.api.functions import FunctionAccess
from stacks.layers.access import resolve_access
from stacks.layers.account import AccountOutputs
from stacks.layers.context import EnvironmentContext
from stacks.layers.encryption import EncryptionOutputs
from stacks.layers.identity import IdentityOutputs
from stacks.layers.network import NetworkOutputs
from stacks.layers.security import SecurityOutputs
from stacks.layers.stack_output import StackOutput
from stacks.layers.storage import StorageOutputs


@dataclass(frozen=True)
class ApiOutputs:
    """The HTTP API's endpoint, the functions by key, and the bucket CI uploads their code to."""

    api_id: str
    endpoint: str
    function_names: Mapping[str, str]
    artifacts_bucket_name: str
    role_arns: Mapping[str, str]
    """Execution role per function key (what the bucket and queue grants are attached to)."""
    access: Mapping[str, FunctionAccess]
    """Per function key, the grants and variables of the buckets and queues it names (for tests)."""


def api_layer(
    scope: Construct,
    *,
    env: EnvironmentContext,
    account: AccountOutputs,
    encryption: EncryptionOutputs,
    network: NetworkOutputs,
    security: SecurityOutputs,
    storage: StorageOutputs,
    identity: IdentityOutputs | None,
) -> ApiOutputs | None:
    """The environment's HTTP API, or None without `api.enabled`; each function uses exactly the buckets and queues
    it names (the same grants and variables as a service's)."""
    config = env.config.api
    if not config.enabled:
        return None
    access = {}
    for key, function in sorted(config.functions.items()):
        resolved = resolve_access(buckets=function.buckets, queues=function.queues, storage=storage, region=env.region)
        access[key] = FunctionAccess(grants=resolved.grants, environment=resolved.environment)
    api = ServerlessApi(
        scope,
        "api",
        name=env.prefix,
        config=config,
        account_id=account.account_id,
        kms_key_arn=encryption.kms_key_arn,
        subnet_ids=network.private_subnet_ids,
        function_security_group_ids=security.function_security_group_ids,
        issuer=JwtIssuer(issuer=identity.issuer, audience=identity.client_id) if identity is not None else None,
        protected=env.config.protected,
        access=access,
    )
    return ApiOutputs(
        api_id=api.api_id,
        endpoint=api.api_endpoint,
        function_names=dict(api.function_names),
        artifacts_bucket_name=api.artifacts_bucket_name,
        role_arns=dict(api.role_arns),
        access=access,
    )


def api_outputs(api: ApiOutputs | None) -> list[StackOutput]:
    """The API's URL, and where CI deploys each function's code."""
    if api is None:
        return []
    return [
        StackOutput("api", "api_endpoint", api.endpoint, "Invoke URL of the HTTP API ($default stage)"),
        StackOutput(
            "api",
            "lambda_function_names",
            dict(api.function_names),
            "Lambda function per key of [api.functions]; CI deploys code with update-function-code",
        ),
        StackOutput(
            "api",
            "lambda_code_bucket",
            api.artifacts_bucket_name,
            "Bucket CI uploads function packages to (versioned, SSE-KMS)",
        ),
    ]
