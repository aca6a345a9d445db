"""One environment's platform, composed from layers, in one Terraform state or in one state per layer.

`compose` is the composition root: it reads top to bottom as the data flow between the layers. Where each layer
lands is the only thing the state layout changes: `per_environment` puts every layer in the stack `{env}`
(state key `{project}/{env}/platform.tfstate`), `per_layer` puts each in its own stack `{env}-{layer}` (key
`{project}/{env}/{layer}.tfstate`). A value that crosses stacks becomes a cdktf cross-stack reference: an output
of the earlier stack and a `terraform_remote_state` of it on the same S3 backend in the later one, and a stack
dependency that orders `cdktf deploy`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from config import EnvironmentConfig, ProjectConfig
from stacks.common import aws_provider, pin_versions, s3_backend, state_key
from stacks.layers.account import AccountOutputs, account_layer
from stacks.layers.api import ApiOutputs, api_layer
from stacks.layers.audit import AuditOutputs, audit_layer
from stacks.layers.bastion import BastionOutputs, bastion_layer
from stacks.layers.batch import BatchOutputs, batch_layer
from stacks.layers.compute import ComputeOutputs, compute_layer
from stacks.layers.context import EnvironmentContext
from stacks.layers.data import DataOutputs, data_layer
from stacks.layers.delivery import DeliveryOutputs, delivery_layer
from stacks.layers.domain import DomainOutputs, domain_layer
from stacks.layers.edge import EdgeOutputs, edge_layer
from stacks.layers.email import EmailOutputs, email_layer
from stacks.layers.encryption import EncryptionOutputs, encryption_layer
from stacks.layers.identity import IdentityOutputs, identity_layer
from stacks.layers.load_balancing import LoadBalancingOutputs, load_balancing_layer
from stacks.layers.monitoring import MonitoringOutputs, monitoring_layer
from stacks.layers.network import NetworkOutputs, network_layer
from stacks.layers.outputs import declare_outputs, stack_outputs
from stacks.layers.registry import RegistryOutputs, registry_layer
from stacks.layers.secrets import SecretsOutputs, secrets_layer
from stacks.layers.security import SecurityOutputs, security_layer
from stacks.layers.storage import StorageOutputs, storage_layer
from stacks.order import PLATFORM, STATE_NAMES, StateName

Placement = Callable[[StateName], Construct]
"""Where a layer's constructs go: the stack that keeps the state of that layer."""


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
    storage: StorageOutputs
    domain: DomainOutputs | None
    load_balancing: LoadBalancingOutputs | None
    compute: ComputeOutputs
    batch: BatchOutputs | None
    edge: EdgeOutputs
    monitoring: MonitoringOutputs
    audit: AuditOutputs
    email: EmailOutputs | None
    bastion: BastionOutputs | None
    delivery: DeliveryOutputs | None
    identity: IdentityOutputs | None
    api: ApiOutputs | None


def compose(at: Placement, env: EnvironmentContext) -> PlatformLayers:
    """Every layer of the environment, each placed in the state `at` names for it, and the stack outputs.

    The registry comes right after the key it encrypts with, so a first deploy can stop there to push images.
    The account lookup (data sources, no resources) sits with the key, the first layer that needs it.
    """
    account = account_layer(at("encryption"))
    encryption = encryption_layer(at("encryption"), env=env, account=account)
    registry = registry_layer(at("registry"), env=env, encryption=encryption)
    audit = audit_layer(at("audit"), env=env, account=account)
    storage = storage_layer(at("storage"), env=env, encryption=encryption)
    network = network_layer(at("network"), env=env, account=account, encryption=encryption)
    security = security_layer(at("security"), env=env, network=network)
    data = data_layer(at("data"), env=env, account=account, encryption=encryption, network=network, security=security)
    secrets = secrets_layer(at("secrets"), env=env, encryption=encryption, data=data)
    domain = domain_layer(at("domain"), env=env)
    load_balancing = load_balancing_layer(
        at("load-balancing"), env=env, encryption=encryption, network=network, security=security, domain=domain
    )
    compute = compute_layer(
        at("compute"),
        env=env,
        account=account,
        encryption=encryption,
        network=network,
        security=security,
        data=data,
        secrets=secrets,
        registry=registry,
        storage=storage,
        load_balancing=load_balancing,
    )
    batch = batch_layer(
        at("batch"),
        env=env,
        account=account,
        encryption=encryption,
        network=network,
        security=security,
        data=data,
        secrets=secrets,
        registry=registry,
        storage=storage,
    )
    shared_zone = domain is not None and env.config.email.hosted_zone == env.config.domain.zone
    email = email_layer(at("email"), env=env, zone_id=domain.zone_id if shared_zone and domain else None)
    identity = identity_layer(at("identity"), env=env, email=email)
    api = api_layer(
        at("api"),
        env=env,
        account=account,
        encryption=encryption,
        network=network,
        security=security,
        storage=storage,
        identity=identity,
    )
    edge = edge_layer(at("edge"), env=env, account=account, domain=domain, load_balancing=load_balancing)
    bastion = bastion_layer(
        at("bastion"), env=env, account=account, encryption=encryption, network=network, security=security
    )
    delivery = delivery_layer(
        at("delivery"),
        env=env,
        account=account,
        encryption=encryption,
        registry=registry,
        compute=compute,
        spa_bucket_arn=edge.spa_bucket_arn,
        distribution_arn=edge.distribution_arn,
    )
    monitoring = monitoring_layer(
        at("monitoring"),
        env=env,
        account=account,
        load_balancing=load_balancing,
        data=data,
        compute=compute,
        audit=audit,
    )
    layers = PlatformLayers(
        account=account,
        encryption=encryption,
        network=network,
        security=security,
        data=data,
        secrets=secrets,
        registry=registry,
        storage=storage,
        domain=domain,
        load_balancing=load_balancing,
        compute=compute,
        batch=batch,
        edge=edge,
        monitoring=monitoring,
        audit=audit,
        email=email,
        bastion=bastion,
        delivery=delivery,
        identity=identity,
        api=api,
    )
    outputs = stack_outputs(layers, region=env.region)
    for state in STATE_NAMES:
        declare_outputs(at(state), [output for output in outputs if output.layer == state])
    return layers


class StateStack(TerraformStack):
    """One Terraform state of an environment: version pins, the AWS provider, the S3 backend at its own key."""

    def __init__(
        self, scope: Construct, id_: str, *, project: ProjectConfig, environment: EnvironmentConfig, state: str
    ) -> None:
        super().__init__(scope, id_)
        self.state = state
        pin_versions(self)
        aws_provider(
            self,
            project=project,
            environment=environment.name,
            region=project.region,
            account_id=environment.account_id,
            role_arn=environment.deploy_role_arn,
        )
        s3_backend(self, backend=environment.backend, key=state_key(project, environment.name, state))
        self.base_children = tuple(child.node.id for child in self.node.children)
        """What every state holds before a layer adds anything (provider, backend)."""

    def register_outgoing_cross_stack_reference(self, identifier: str) -> TerraformOutput:
        """The output cdktf adds for a value a later state reads, not marked sensitive.

        cdktf marks every such output sensitive, and Terraform carries the mark into the reading state: every VPC,
        subnet, role and key ARN there would plan as `(sensitive value)`, and so would each whole task definition
        that names one. Only identifiers cross states here (secrets cross as ARNs); were a value one the provider
        marks sensitive, Terraform would refuse the plan of the output instead of showing it.
        """
        output = super().register_outgoing_cross_stack_reference(identifier)
        output.sensitive = False
        return output


class PlatformStack(StateStack):
    """The whole platform of one environment in one stack `{env}`, key `{project}/{env}/platform.tfstate`."""

    def __init__(self, scope: Construct, id_: str, *, project: ProjectConfig, environment: EnvironmentConfig) -> None:
        super().__init__(scope, id_, project=project, environment=environment, state=PLATFORM)
        self.layers = compose(lambda _state: self, EnvironmentContext(project=project, config=environment))


@dataclass(frozen=True)
class LayeredPlatform:
    """The platform of one environment with one stack `{env}-{layer}` per layer, in apply order."""

    stacks: Mapping[StateName, StateStack]
    layers: PlatformLayers


def layered_platform(scope: Construct, *, project: ProjectConfig, environment: EnvironmentConfig) -> LayeredPlatform:
    """One StateStack per layer state, created in `compose`'s order; cdktf wires the references between them."""
    stacks: dict[StateName, StateStack] = {}

    def at(state: StateName) -> StateStack:
        if state not in stacks:
            stacks[state] = StateStack(
                scope, f"{environment.name}-{state}", project=project, environment=environment, state=state
            )
        return stacks[state]

    for state in STATE_NAMES:  # created in apply order, so the app lists them in that order
        at(state)
    layers = compose(at, EnvironmentContext(project=project, config=environment))
    for state, stack in list(stacks.items()):
        if len(stack.node.children) <= len(stack.base_children):  # a layer switched off: no state for nothing
            scope.node.try_remove_child(stack.node.id)
            del stacks[state]
    return LayeredPlatform(stacks=stacks, layers=layers)


def layout_of(project: ProjectConfig, environment: EnvironmentConfig) -> str:
    """`per_environment` or `per_layer`: the environment's own `state`, else the project's."""
    return environment.state or project.state


def environment_stacks(
    scope: Construct, *, project: ProjectConfig, environment: EnvironmentConfig
) -> tuple[PlatformLayers, list[StateStack]]:
    """The environment in the layout its config names: its layer outputs and its stacks in apply order."""
    if layout_of(project, environment) == "per_layer":
        layered = layered_platform(scope, project=project, environment=environment)
        return layered.layers, list(layered.stacks.values())
    stack = PlatformStack(scope, environment.name, project=project, environment=environment)
    return stack.layers, [stack]
