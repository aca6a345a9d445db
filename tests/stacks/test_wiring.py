"""What the composition root passes between layers, checked for every environment of the reference config.

Module tests show each module does the right thing with what it is given; these show each module is given the right
thing: the subnet tier it sits in, the secrets its execution role may read, the security groups its rules name.
They read the layer outputs (`PlatformStack.layers`) and the synthesized stack, so they hold however the layers are
grouped in code.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import pytest
from cdktf import DefaultTokenResolver, StringConcat, Testing, Tokenization

from config import PlatformConfig, build_config
from config.storage import bucket_variable, queue_variable
from stacks.platform import PlatformLayers, PlatformStack
from tests.conftest import REFERENCE_CONFIG, Json, only, resources, synth_json

with REFERENCE_CONFIG.open("rb") as _handle:
    ENVIRONMENTS = sorted(tomllib.load(_handle)["environments"])

ANYWHERE = "0.0.0.0/0"
SECRET_READ = "secretsmanager:GetSecretValue"
PARAMETER_READ = "ssm:GetParameters"
ECS_NEEDS = {
    # what ECS itself needs to start a task, besides the container's secrets
    ("ecr:GetAuthorizationToken",): "*",
    ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"): "repository",
    ("logs:CreateLogStream", "logs:PutLogEvents"): "log group",
    ("kms:Decrypt",): "key",
}


@dataclass(frozen=True)
class Environment:
    """One synthesized environment: its config, its layer outputs resolved to references, and its JSON."""

    config: PlatformConfig
    name: str
    stack: PlatformStack
    document: Json

    @property
    def layers(self) -> PlatformLayers:
        return self.stack.layers

    def ref(self, value: Any) -> Any:
        """A layer output (a token) as it appears in the synthesized JSON, e.g. `${aws_subnet.x.id}`."""
        return Tokenization.resolve(
            value, scope=self.stack, preparing=False, resolver=DefaultTokenResolver(StringConcat())
        )


def toggled(reference_document: Json) -> Json:
    """The reference config with the other side of each toggle: dev without a load balancer (a worker only),
    stg on RDS PostgreSQL without Redis and blue/green, prod with CloudFront-only ingress and a bastion."""
    document = copy.deepcopy(reference_document)
    defaults, environments = document["defaults"], document["environments"]
    load_balancer = defaults.pop("load_balancer")
    environments["prod"]["load_balancer"] |= {**load_balancer, **environments["prod"]["load_balancer"]}
    environments["stg"]["load_balancer"] = dict(load_balancer)
    for key in ("min_capacity", "max_capacity", "instance_count"):  # Aurora-only settings
        value = defaults["database"].pop(key)
        for name in ("dev", "prod"):
            environments[name]["database"].setdefault(key, value)
    environments["stg"]["database"] |= {"engine": "postgres", "instance_class": "db.t4g.micro", "multi_az": False}
    environments["stg"]["database"].pop("max_capacity", None)
    environments["stg"]["cache"] = {"enabled": False}
    for service, config in defaults["services"].items():  # per environment, so stg can drop its Redis references
        for key in ("environment", "secrets"):
            values = config.pop(key, {})
            for name in ENVIRONMENTS:
                kept = {k: v for k, v in values.items() if not (name == "stg" and "redis" in v)}
                environments[name].setdefault("services", {}).setdefault(service, {})[key] = kept
    environments["stg"]["services"]["api"]["deployment"] = {"strategy": "blue_green"}
    for service in ("web", "api", "realtime"):
        environments["dev"]["services"][service]["enabled"] = False
    environments["dev"]["services"]["worker"]["enabled"] = True
    environments["prod"]["security"] = {"alb_ingress": "cloudfront", "bastion": True}
    # dev's worker receives from the mailer queue, so dev has a queue; prod has no buckets and no Batch
    environments["dev"]["queues"]["mailer"]["enabled"] = True
    buckets = defaults["services"]["api"].pop("buckets")
    for name in ("dev", "stg"):
        environments[name]["services"]["api"]["buckets"] = dict(buckets)
    function_buckets = defaults["api"]["functions"]["items"].pop("buckets")  # the API runs in stg and prod
    environments["stg"].setdefault("api", {}).setdefault("functions", {})["items"] = {"buckets": function_buckets}
    environments["prod"]["storage"] = {key: {"enabled": False} for key in defaults["storage"]}
    environments["prod"]["batch"] = {"enabled": False}
    return document


@pytest.fixture(scope="module")
def configs(reference_config: PlatformConfig, reference_document: Json) -> dict[str, PlatformConfig]:
    return {"reference": reference_config, "toggled": build_config(toggled(reference_document), "toggled.toml")}


@pytest.fixture(scope="module")
def environments(configs: dict[str, PlatformConfig]) -> dict[str, Environment]:
    built = {}
    for variant, config in configs.items():
        for name in ENVIRONMENTS:
            stack = PlatformStack(Testing.app(), name, project=config.project, environment=config.environment(name))
            built[f"{variant}-{name}"] = Environment(config, name, stack, synth_json(stack))
    return built


@pytest.fixture(params=[f"{variant}-{name}" for variant in ("reference", "toggled") for name in ENVIRONMENTS])
def env(request: pytest.FixtureRequest, environments: dict[str, Environment]) -> Environment:
    return environments[request.param]


def reference(resource_type: str, logical_id: str, attribute: str = "id") -> str:
    return f"${{{resource_type}.{logical_id}.{attribute}}}"


def referenced_id(value: str, resource_type: str) -> str:
    """The logical id in `${<resource_type>.<id>.<attribute>}`."""
    match = re.fullmatch(rf"\$\{{{re.escape(resource_type)}\.([A-Za-z0-9_]+)\.[^}}]+\}}", value)
    assert match, f"{value!r} is not a reference to a {resource_type}"
    return match.group(1)


def tier_subnets(document: Json) -> dict[str, set[str]]:
    """Subnet references by the tier the network built them in (their `Tier` tag)."""
    tiers: dict[str, set[str]] = {}
    for logical_id, subnet in resources(document, "aws_subnet").items():
        tiers.setdefault(subnet["tags"]["Tier"], set()).add(reference("aws_subnet", logical_id))
    return tiers


def default_routes(document: Json) -> dict[str, Json]:
    """Per subnet reference, its route to 0.0.0.0/0 (absent: no route out of the VPC)."""
    by_table = {
        route["route_table_id"]: route
        for route in resources(document, "aws_route").values()
        if route.get("destination_cidr_block") == ANYWHERE
    }
    return {
        association["subnet_id"]: by_table[association["route_table_id"]]
        for association in resources(document, "aws_route_table_association").values()
        if association["route_table_id"] in by_table
    }


# --- subnet tiers ---------------------------------------------------------------------------------------------


def test_network_outputs_are_the_tiers_that_route_as_named(env: Environment) -> None:
    """The tiers the layers hand on are the subnets AWS routes as public, private and isolated."""
    tiers, routes = tier_subnets(env.document), default_routes(env.document)
    network = env.layers.network
    assert set(env.ref(list(network.public_subnet_ids))) == tiers["public"]
    assert set(env.ref(list(network.private_subnet_ids))) == tiers["private"]
    assert set(env.ref(list(network.database_subnet_ids))) == tiers["database"]
    assert all("aws_internet_gateway." in routes[subnet].get("gateway_id", "") for subnet in tiers["public"])
    assert not any("gateway_id" in routes[subnet] for subnet in tiers["private"] if subnet in routes)
    assert not tiers["database"] & set(routes), "the database tier has no route out of the VPC"


def test_alb_and_nat_gateways_sit_in_the_public_tier(env: Environment) -> None:
    public = tier_subnets(env.document)["public"]
    if env.layers.load_balancing is None:
        assert not resources(env.document, "aws_lb")
    else:
        alb = only(env.document, "aws_lb")
        assert alb["internal"] is False
        assert set(alb["subnets"]) == public, "one ALB subnet per AZ, all public"
    nats = resources(env.document, "aws_nat_gateway")
    expected = {"none": 0, "single": 1, "per_az": len(public)}[env.config.environment(env.name).network.nat]
    assert len(nats) == expected
    assert {nat["subnet_id"] for nat in nats.values()} <= public


def test_tasks_and_redis_sit_in_the_private_tier(env: Environment) -> None:
    private = tier_subnets(env.document)["private"]
    services = resources(env.document, "aws_ecs_service")
    assert len(services) == len(env.config.environment(env.name).enabled_services)
    for service in services.values():
        network = service["network_configuration"]
        assert set(network["subnets"]) == private, service["name"]
        assert network["assign_public_ip"] is False
    if env.layers.data.cache is None:
        assert not resources(env.document, "aws_elasticache_replication_group")
        return
    subnet_group_id, subnet_group = only_item(env.document, "aws_elasticache_subnet_group")
    assert set(subnet_group["subnet_ids"]) == private
    redis = only(env.document, "aws_elasticache_replication_group")
    assert redis["subnet_group_name"] == reference("aws_elasticache_subnet_group", subnet_group_id, "name")


def test_database_sits_in_the_database_tier(env: Environment) -> None:
    database_tier = tier_subnets(env.document)["database"]
    if env.layers.data.database is None:
        assert not resources(env.document, "aws_db_subnet_group")
        return
    (subnet_group_id, subnet_group) = only_item(env.document, "aws_db_subnet_group")
    assert set(subnet_group["subnet_ids"]) == database_tier
    database = database_resource(env.document)
    assert database["db_subnet_group_name"] == reference("aws_db_subnet_group", subnet_group_id, "name")
    assert database.get("publicly_accessible", False) is False


def only_item(document: Json, resource_type: str) -> tuple[str, Json]:
    found = resources(document, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.items()))


def database_resource(document: Json) -> Json:
    """The Aurora cluster or the RDS instance, whichever the engine builds."""
    clusters = resources(document, "aws_rds_cluster")
    return only(document, "aws_rds_cluster") if clusters else only(document, "aws_db_instance")


# --- container secrets and execution roles --------------------------------------------------------------------


def task_definitions(document: Json) -> dict[str, Json]:
    """Task definitions by service (the container is named after the service)."""
    found = {}
    for definition in resources(document, "aws_ecs_task_definition").values():
        (container,) = json.loads(definition["container_definitions"])
        found[container["name"]] = {**definition, "container": container}
    return found


def role_statements(document: Json, role_arn: str) -> list[Json]:
    """Every policy statement granted to the role behind `role_arn`: inline policies; attachments are refused."""
    role_id = referenced_id(role_arn, "aws_iam_role")
    attached = [
        attachment
        for attachment in resources(document, "aws_iam_role_policy_attachment").values()
        if referenced_id(attachment["role"], "aws_iam_role") == role_id
    ]
    assert not attached, f"{role_id} has managed policies attached: {attached}"
    statements = []
    for policy in resources(document, "aws_iam_role_policy").values():
        if referenced_id(policy["role"], "aws_iam_role") != role_id:
            continue
        document_id = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_]+)\.json\}", policy["policy"])
        assert document_id, policy["policy"]
        statements += document["data"]["aws_iam_policy_document"][document_id.group(1)]["statement"]
    return statements


def secret_arn(value_from: str) -> str:
    """The secret a `valueFrom` reads: `<arn>:<json key>:<stage>:<version>` reads the secret `<arn>`."""
    return re.sub(r":[A-Za-z0-9_]+::$", "", value_from)


def test_every_container_secret_is_readable_by_its_execution_role_and_nothing_more(env: Environment) -> None:
    definitions = task_definitions(env.document)
    layers = env.layers
    assert set(definitions) == set(env.config.environment(env.name).enabled_services)
    for service, definition in definitions.items():
        wiring = layers.compute.wiring[service]
        assert definition["execution_role_arn"] == env.ref(wiring.execution_role_arn)
        assert definition["execution_role_arn"] != definition["task_role_arn"]
        value_froms = [item["valueFrom"] for item in definition["container"].get("secrets", [])]
        secrets = {secret_arn(v) for v in value_froms if "aws_ssm_parameter." not in v}
        parameters = {v for v in value_froms if "aws_ssm_parameter." in v}

        granted: dict[str, set[str]] = {SECRET_READ: set(), PARAMETER_READ: set()}
        for statement in role_statements(env.document, definition["execution_role_arn"]):
            assert statement.get("effect", "Allow") == "Allow"
            actions, granted_to = tuple(statement["actions"]), statement["resources"]
            if actions in ((SECRET_READ,), (PARAMETER_READ,)):
                granted[actions[0]] |= set(granted_to)
                continue
            assert actions in ECS_NEEDS, f"{service}: its execution role may also {actions}"
            kind = ECS_NEEDS[actions]
            if kind == "*":
                assert granted_to == ["*"]
            elif kind == "repository":
                assert granted_to == [env.ref(layers.registry.repository_arns[service])]
            elif kind == "log group":
                log_group = f":log-group:/ecs/{env.config.project.name}-{env.name}/{service}"
                assert sorted(granted_to) == sorted(arn + suffix for arn in granted_to[:1] for suffix in ("", ":*"))
                assert granted_to[0].endswith(log_group), granted_to
            else:
                assert granted_to == [env.ref(layers.encryption.kms_key_arn)]
                assert statement["condition"][0]["variable"] == "kms:ViaService"
        assert granted[SECRET_READ] == secrets, service
        assert granted[PARAMETER_READ] == parameters, service


def test_every_value_from_is_a_secret_the_layers_created(env: Environment) -> None:
    """Each `valueFrom` names what its reference (`secret:`, `ssm:`, `db:`, `redis:`) means in this environment."""
    layers = env.layers
    data, secrets = layers.data, layers.secrets
    definitions = task_definitions(env.document)
    for service, config in env.config.environment(env.name).enabled_services.items():
        value_from = {item["name"]: item["valueFrom"] for item in definitions[service]["container"].get("secrets", [])}
        assert set(value_from) == set(config.secrets)
        for variable, ref in config.secrets.items():
            kind, _, key = ref.partition(":")
            if kind == "secret":
                expected = env.ref(secrets.secret_arns[key])
            elif kind == "ssm":
                expected = env.ref(secrets.parameter_arns[key])
            elif kind == "db":
                assert data.database is not None
                expected = f"{env.ref(data.database.master_secret_arn)}:{key}::"
            else:
                assert data.cache is not None
                expected = env.ref(data.cache.auth_token_secret_arn)
            assert value_from[variable] == expected, f"{service}.{variable}"


# --- security-group references --------------------------------------------------------------------------------

Edge = tuple[str, str, str, int]
"""(ingress | egress, group, referenced group, port)."""


def sg_references(document: Json) -> set[Edge]:
    """Every rule that names another security group, as an edge."""
    edges = set()
    for direction in ("ingress", "egress"):
        for rule in resources(document, f"aws_vpc_security_group_{direction}_rule").values():
            if "referenced_security_group_id" in rule:
                assert rule["from_port"] == rule["to_port"]
                edges.add(
                    (direction, rule["security_group_id"], rule["referenced_security_group_id"], rule["from_port"])
                )
    return edges


def test_security_group_references_point_at_the_groups_the_layers_meant(env: Environment) -> None:
    """ALB -> service port, service (and bastion) -> database / Redis port, each the group its consumer wears."""
    document, layers = env.document, env.layers
    security = layers.security
    environment = env.config.environment(env.name)

    alb_sg = env.ref(security.alb_security_group_id)
    if layers.load_balancing is not None:
        assert only(document, "aws_lb")["security_groups"] == [alb_sg]
    database = database_resource(document) if layers.data.database is not None else None
    redis = only(document, "aws_elasticache_replication_group") if layers.data.cache is not None else None
    if database is not None:
        db_sg = env.ref(security.database_security_group_id)
        assert database["vpc_security_group_ids"] == [db_sg]
    if redis is not None:
        cache_sg = env.ref(security.cache_security_group_id)
        assert redis["security_group_ids"] == [cache_sg]

    services = {
        service["name"].removeprefix(f"{env.config.project.name}-{env.name}-"): service
        for service in resources(document, "aws_ecs_service").values()
    }
    expected: set[Edge] = set()
    for name, config in environment.enabled_services.items():
        service_sg = env.ref(security.service_security_group_ids[name])
        assert services[name]["network_configuration"]["security_groups"] == [service_sg]
        for attachment in services[name].get("load_balancer", []):
            port = attachment["container_port"]
            target_group = resources(document, "aws_lb_target_group")[
                referenced_id(attachment["target_group_arn"], "aws_lb_target_group")
            ]
            assert target_group["port"] == port
            expected |= {("ingress", service_sg, alb_sg, port), ("egress", alb_sg, service_sg, port)}
        if database is not None and config.reaches("database"):
            port = database["port"]
            expected |= {("ingress", db_sg, service_sg, port), ("egress", service_sg, db_sg, port)}
        if redis is not None and config.reaches("cache"):
            port = redis["port"]
            expected |= {("ingress", cache_sg, service_sg, port), ("egress", service_sg, cache_sg, port)}
    if security.batch_security_group_id is not None:
        batch_sg = env.ref(security.batch_security_group_id)
        for store, resource, group in (("database", database, "db_sg"), ("cache", redis, "cache_sg")):
            if resource is not None and store in environment.batch.data_access:
                target = db_sg if group == "db_sg" else cache_sg
                expected |= {
                    ("ingress", target, batch_sg, resource["port"]),
                    ("egress", batch_sg, target, resource["port"]),
                }
    if security.bastion_security_group_id is not None:
        bastion_sg = env.ref(security.bastion_security_group_id)
        if database is not None:
            expected |= {
                ("ingress", db_sg, bastion_sg, database["port"]),
                ("egress", bastion_sg, db_sg, database["port"]),
            }
        if redis is not None:
            expected |= {
                ("ingress", cache_sg, bastion_sg, redis["port"]),
                ("egress", bastion_sg, cache_sg, redis["port"]),
            }
    # Lambda functions of [api] in the VPC wear their own group, which reaches the stores they name
    functions = {
        function["function_name"].removeprefix(f"{env.config.project.name}-{env.name}-fn-"): function
        for function in resources(document, "aws_lambda_function").values()
    }
    assert set(functions) == (set(environment.api.functions) if environment.api.enabled else set())
    for name, function_sg_id in security.function_security_group_ids.items():
        function_sg = env.ref(function_sg_id)
        assert functions[name]["vpc_config"]["security_group_ids"] == [function_sg]
        stores = environment.api.functions[name].data_access
        if database is not None and "database" in stores:
            expected |= {
                ("ingress", db_sg, function_sg, database["port"]),
                ("egress", function_sg, db_sg, database["port"]),
            }
        if redis is not None and "cache" in stores:
            expected |= {
                ("ingress", cache_sg, function_sg, redis["port"]),
                ("egress", function_sg, cache_sg, redis["port"]),
            }
    assert sg_references(document) == expected


def test_the_toggled_config_covers_the_other_side_of_each_toggle(environments: dict[str, Environment]) -> None:
    """The wiring tests above also run where a store, the ALB or Aurora is absent, and where a bastion exists."""
    assert environments["toggled-dev"].layers.load_balancing is None
    assert environments["toggled-stg"].layers.data.cache is None
    assert only(environments["toggled-stg"].document, "aws_db_instance")
    assert environments["toggled-prod"].layers.security.bastion_security_group_id is not None
    assert (
        environments["toggled-dev"].layers.storage.queue_urls
        and not environments["reference-dev"].layers.storage.queue_urls
    )
    assert not environments["toggled-prod"].layers.storage.bucket_names
    assert environments["toggled-prod"].layers.batch is None and environments["reference-prod"].layers.batch is not None
    assert all(
        environments[f"reference-{name}"].layers.load_balancing is not None
        and environments[f"reference-{name}"].layers.data.cache is not None
        for name in ENVIRONMENTS
    )


# --- buckets, queues and Batch jobs ------------------------------------------------------------------------------


def storage_grants(env: Environment, buckets: dict[str, str], queues: dict[str, str]) -> list[Json]:
    """The statements a role naming `buckets` and `queues` must have, written out from the storage layer's ARNs."""
    storage = env.layers.storage
    kms, region = env.ref(storage.kms_key_arn), env.config.project.region
    objects = {
        "read": ["s3:GetObject"],
        "read-write": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
    }
    expected: list[Json] = []
    for key, mode in sorted(buckets.items()):
        arn = env.ref(storage.bucket_arns[key])
        sid = "".join(part.capitalize() for part in key.split("-"))
        expected += [
            {"sid": f"ListBucket{sid}", "actions": ["s3:ListBucket"], "resources": [arn]},
            {"sid": f"Objects{sid}", "actions": objects[mode], "resources": [f"{arn}/*"]},
        ]
    if buckets:
        writes = "read-write" in buckets.values()
        expected.append(
            {
                "sid": "BucketKey",
                "actions": ["kms:Decrypt", "kms:GenerateDataKey"] if writes else ["kms:Decrypt"],
                "resources": [kms],
                "condition": [
                    {"test": "StringEquals", "variable": "kms:ViaService", "values": [f"s3.{region}.amazonaws.com"]}
                ],
            }
        )
    sends = receives = False
    for key, mode in sorted(queues.items()):
        actions = {"sqs:GetQueueAttributes"}
        if mode in ("send", "send-receive"):
            actions.add("sqs:SendMessage")
            sends = True
        if mode in ("receive", "send-receive"):
            actions |= {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"}
            receives = True
        sid = "".join(part.capitalize() for part in key.split("-"))
        expected.append(
            {"sid": f"Queue{sid}", "actions": sorted(actions), "resources": [env.ref(storage.queue_arns[key])]}
        )
    if queues:
        expected.append(
            {
                "sid": "QueueKey",
                "actions": ["kms:Decrypt", "kms:GenerateDataKey"] if sends else ["kms:Decrypt"],
                "resources": [kms],
                "condition": [
                    {"test": "StringEquals", "variable": "kms:ViaService", "values": [f"sqs.{region}.amazonaws.com"]}
                ],
            }
        )
    assert receives or sends or not queues
    return expected


def about_storage(statement: Json) -> bool:
    """Whether a task-role statement is one of the bucket, queue or their key grants."""
    return statement["sid"] in ("BucketKey", "QueueKey") or statement["sid"].startswith(
        ("ListBucket", "Objects", "Queue")
    )


def test_each_task_role_uses_exactly_the_buckets_and_queues_its_service_names(env: Environment) -> None:
    definitions = task_definitions(env.document)
    storage = env.layers.storage
    for name, config in env.config.environment(env.name).enabled_services.items():
        task_role = definitions[name]["task_role_arn"]
        assert task_role == env.ref(env.layers.compute.wiring[name].task_role_arn)
        granted = [statement for statement in role_statements(env.document, task_role) if about_storage(statement)]
        assert granted == storage_grants(env, dict(config.buckets), dict(config.queues)), name
        variables = {item["name"]: item["value"] for item in definitions[name]["container"].get("environment", [])}
        for key in config.buckets:
            assert variables[bucket_variable(key)] == env.ref(storage.bucket_names[key])
        for key in config.queues:
            assert variables[queue_variable(key)] == env.ref(storage.queue_urls[key])
        assert not {v for v in variables if v.endswith(("_BUCKET", "_QUEUE_URL"))} - {
            *map(bucket_variable, config.buckets),
            *map(queue_variable, config.queues),
        }


def test_batch_runs_in_the_private_tier_behind_its_group_with_the_jobs_grants(env: Environment) -> None:
    batch, config = env.layers.batch, env.config.environment(env.name).batch
    if batch is None:
        assert not config.enabled
        assert not resources(env.document, "aws_batch_compute_environment")
        assert env.layers.security.batch_security_group_id is None
        return
    compute = only(env.document, "aws_batch_compute_environment")["compute_resources"]
    assert set(compute["subnets"]) == tier_subnets(env.document)["private"]
    assert compute["security_group_ids"] == [env.ref(env.layers.security.batch_security_group_id)]
    assert only(env.document, "aws_batch_job_queue")["name"] == f"{env.name}_default"
    definitions = {d["name"]: d for d in resources(env.document, "aws_batch_job_definition").values()}
    assert set(definitions) == {f"{env.name}_{key}_job" for key in config.jobs}
    for key, job in config.jobs.items():
        container = json.loads(definitions[f"{env.name}_{key}_job"]["container_properties"])
        assert container["jobRoleArn"] == env.ref(batch.job_role_arns[key])
        assert container["image"].startswith(env.ref(env.layers.registry.repository_urls[job.repository]) + ":")
        granted = role_statements(env.document, container["jobRoleArn"])
        assert granted == storage_grants(env, dict(job.buckets), dict(job.queues)), key
