"""One environment's platform: everything that environment runs, in one state, composed from layers."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformStack
from constructs import Construct

from config import EnvironmentConfig, ProjectConfig
from stacks.common import aws_provider, pin_versions, s3_backend, state_key
from stacks.layers.account import AccountOutputs, account_layer
from stacks.layers.api import ApiOutputs, api_layer
from stacks.layers.compute import ComputeOutputs, compute_layer
from stacks.layers.context import EnvironmentContext
from stacks.layers.data import DataOutputs, data_layer
from stacks.layers.encryption import EncryptionOutputs, encryption_layer
from stacks.layers.identity import IdentityOutputs, identity_layer
from stacks.layers.load_balancing import LoadBalancingOutputs, load_balancing_layer
from stacks.layers.network import NetworkOutputs, network_layer
from stacks.layers.outputs import declare_outputs, stack_outputs
from stacks.layers.registry import RegistryOutputs, registry_layer
from stacks.layers.secrets import SecretsOutputs, secrets_layer
from stacks.layers.security import SecurityOutputs, security_layer

LAYER = "platform"
"""The state-key name of this stack; a future split into layers adds siblings, not renames."""


@dataclass(frozen=True)
class PlatformLayers:
    """The outputs of every layer of one environment, in dependency order."""

    account: AccountOutputs
    encryption: EncryptionOutputs
    network: NetworkOutputs
    security: SecurityOutputs
    data: DataOutputs
    secrets: SecretsOutputs
    registry: RegistryOutputs
    load_balancing: LoadBalancingOutputs | None
    compute: ComputeOutputs
    identity: IdentityOutputs | None
    api: ApiOutputs | None


class PlatformStack(TerraformStack):
    """The platform of one environment on the shared S3 backend, key `{project}/{env}/platform.tfstate`.

    Each layer takes the typed outputs of the layers below it and returns its own (see stacks/layers/).
    """

    def __init__(self, scope: Construct, id_: str, *, project: ProjectConfig, environment: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        pin_versions(self)
        aws_provider(
            self,
            project=project,
            environment=environment.name,
            region=project.region,
            account_id=environment.account_id,
            role_arn=environment.deploy_role_arn,
        )
        s3_backend(self, backend=environment.backend, key=state_key(project, environment.name, LAYER))
        env = EnvironmentContext(project=project, config=environment)

        account = account_layer(self)
        encryption = encryption_layer(self, env=env, account=account)
        network = network_layer(self, env=env, account=account, encryption=encryption)
        security = security_layer(self, env=env, network=network)
        data = data_layer(self, env=env, account=account, encryption=encryption, network=network, security=security)
        secrets = secrets_layer(self, env=env, encryption=encryption, data=data)
        registry = registry_layer(self, env=env, encryption=encryption)
        identity = identity_layer(self, env=env)
        load_balancing = load_balancing_layer(self, env=env, encryption=encryption, network=network, security=security)
        compute = compute_layer(
            self,
            env=env,
            account=account,
            encryption=encryption,
            network=network,
            security=security,
            data=data,
            secrets=secrets,
            registry=registry,
            load_balancing=load_balancing,
        )
        api = api_layer(
            self,
            env=env,
            account=account,
            encryption=encryption,
            network=network,
            security=security,
            identity=identity,
        )
        declare_outputs(
            self,
            stack_outputs(
                encryption=encryption,
                network=network,
                data=data,
                secrets=secrets,
                registry=registry,
                load_balancing=load_balancing,
                compute=compute,
                identity=identity,
                api=api,
            ),
        )
        self.layers = PlatformLayers(
            account=account,
            encryption=encryption,
            network=network,
            security=security,
            data=data,
            secrets=secrets,
            registry=registry,
            load_balancing=load_balancing,
            compute=compute,
            identity=identity,
            api=api,
        )
