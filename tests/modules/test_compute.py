"""The compute module: cluster, services, Spot, deployments, scaling and containers; both sides of each toggle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformOutput, TerraformStack, TerraformVariable, Testing
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup

from config.compute import ComputeConfig
from config.services import ServiceConfig
from modules.compute import Compute, ServiceWiring, exec_log_group_name, service_log_group_name
from modules.compute.container import health_check_command
from modules.load_balancer.targets import ServiceTargets
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

KMS = "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555"
ACCOUNT_ARN = "arn:aws:iam::123456789012"
DB_PASSWORD = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-abc:password::"
JWT = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:acme-dev-jwt-AbCdEf"
SSM_URL = "arn:aws:ssm:ap-northeast-1:123456789012:parameter/dev/db/url"
ALB_SUFFIX = "app/acme-dev/0123456789abcdef"
LISTENER = f"arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/{ALB_SUFFIX}"


def service(**settings: Any) -> ServiceConfig:
    """A web service on port 8080 routed by default with a pinned image tag, with `settings` on top."""
    return ServiceConfig.model_validate({"port": 8080, "routing": {"default": True}, "image_tag": "1.0.0", **settings})


def worker(**settings: Any) -> ServiceConfig:
    return ServiceConfig.model_validate({"kind": "worker", "image_tag": "1.0.0", **settings})


def blue_green(**settings: Any) -> ServiceConfig:
    return service(deployment={"strategy": "blue_green", "blue_green_termination_wait_minutes": 10}, **settings)


def targets_for(key: str, config: ServiceConfig) -> ServiceTargets:
    tg = f"arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/acme-dev-{key}"
    two = config.deployment.strategy == "blue_green"
    return ServiceTargets(
        primary_arn=f"{tg}/aaaa",
        primary_name=f"acme-dev-{key}",
        primary_arn_suffix=f"targetgroup/acme-dev-{key}/aaaa",
        container_port=config.port or 0,
        secondary_arn=f"{tg}-green/bbbb" if two else None,
        secondary_name=f"acme-dev-{key}-green" if two else None,
    )


def wiring_for(key: str, config: ServiceConfig, **override: Any) -> ServiceWiring:
    """Dummy but well-formed wiring that matches the service's config."""
    web = config.kind == "web"
    settings: dict[str, Any] = {
        "image_repository_url": f"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/acme-dev-{key}",
        "execution_role_arn": f"{ACCOUNT_ARN}:role/acme-dev-{key}-execution",
        "task_role_arn": f"{ACCOUNT_ARN}:role/acme-dev-{key}-task",
        "security_group_id": f"sg-{key}",
        "secrets": dict.fromkeys(config.secrets, JWT),
        "targets": targets_for(key, config) if web else None,
        "prod_listener_arn": f"{LISTENER}/https/1" if web else None,
        "test_listener_arn": f"{LISTENER}/test/2" if web else None,
        "alb_arn_suffix": ALB_SUFFIX if web else None,
    }
    return ServiceWiring(**{**settings, **override})


def compute_json(
    services: dict[str, ServiceConfig],
    config: ComputeConfig | None = None,
    wiring: dict[str, ServiceWiring] | None = None,
    stack_values: dict[str, str] | None = None,
) -> Json:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    build(stack, services, config, wiring, stack_values)
    return synth_json(stack)


def build(
    stack: TerraformStack,
    services: dict[str, ServiceConfig],
    config: ComputeConfig | None = None,
    wiring: dict[str, ServiceWiring] | None = None,
    stack_values: dict[str, str] | None = None,
) -> Compute:
    return Compute(
        stack,
        "compute",
        name="acme-dev",
        region="ap-northeast-1",
        config=config or ComputeConfig(),
        services=services,
        wiring=wiring if wiring is not None else {key: wiring_for(key, value) for key, value in services.items()},
        private_subnet_ids=["subnet-a", "subnet-c"],
        kms_key_arn=KMS,
        account_id="123456789012",
        stack_values=stack_values,
    )


def ecs_service(document: Json, name: str = "acme-dev-api") -> Json:
    found = [s for s in resources(document, "aws_ecs_service").values() if s["name"] == name]
    assert len(found) == 1, f"expected one ECS service {name}"
    return found[0]


def container(document: Json, family: str = "acme-dev-api") -> Json:
    tasks = [t for t in resources(document, "aws_ecs_task_definition").values() if t["family"] == family]
    assert len(tasks) == 1
    (definition,) = json.loads(tasks[0]["container_definitions"])
    return dict(definition)


def task_definition(document: Json, family: str = "acme-dev-api") -> Json:
    (task,) = [t for t in resources(document, "aws_ecs_task_definition").values() if t["family"] == family]
    return dict(task)


# --- cluster ---------------------------------------------------------------------------------------------------


def test_cluster_has_container_insights_and_exec_logging_to_an_encrypted_log_group() -> None:
    document = compute_json({"api": service()})
    cluster = only(document, "aws_ecs_cluster")
    assert cluster["name"] == "acme-dev"
    assert cluster["setting"] == [{"name": "containerInsights", "value": "enabled"}]
    execute = cluster["configuration"]["execute_command_configuration"]
    assert execute["logging"] == "OVERRIDE" and execute["kms_key_id"] == KMS
    assert execute["log_configuration"]["cloud_watch_encryption_enabled"] is True
    exec_logs = [g for g in resources(document, "aws_cloudwatch_log_group").values() if "execute-command" in g["name"]]
    assert len(exec_logs) == 1
    assert exec_logs[0]["name"] == exec_log_group_name("acme-dev") == "/aws/ecs/acme-dev/execute-command"
    assert exec_logs[0]["kms_key_id"] == KMS and exec_logs[0]["retention_in_days"] == 30
    assert execute["log_configuration"]["cloud_watch_log_group_name"].startswith("${aws_cloudwatch_log_group.")


def test_container_insights_level_and_exec_retention_follow_config() -> None:
    config = ComputeConfig.model_validate({"container_insights": "enhanced", "exec_log_retention_days": 90})
    document = compute_json({"api": service()}, config)
    assert only(document, "aws_ecs_cluster")["setting"] == [{"name": "containerInsights", "value": "enhanced"}]
    retentions = {g["name"]: g["retention_in_days"] for g in resources(document, "aws_cloudwatch_log_group").values()}
    assert retentions["/aws/ecs/acme-dev/execute-command"] == 90


def test_exec_log_retention_is_checked() -> None:
    with pytest.raises(ValueError, match="not a CloudWatch Logs retention period"):
        ComputeConfig.model_validate({"exec_log_retention_days": 10})


def test_cluster_offers_fargate_and_fargate_spot() -> None:
    providers = only(compute_json({"api": service()}), "aws_ecs_cluster_capacity_providers")
    assert providers["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]
    assert providers["default_capacity_provider_strategy"] == [{"capacity_provider": "FARGATE", "weight": 1}]


# --- Spot ------------------------------------------------------------------------------------------------------


def test_spot_on_gives_an_on_demand_base_and_a_spot_share() -> None:
    document = compute_json(
        {"api": service(spot={"enabled": True, "base": 2, "on_demand_weight": 1, "spot_weight": 4})}
    )
    strategy = ecs_service(document)["capacity_provider_strategy"]
    assert strategy == [
        {"capacity_provider": "FARGATE", "base": 2, "weight": 1},
        {"capacity_provider": "FARGATE_SPOT", "weight": 4},
    ]
    assert "launch_type" not in ecs_service(document)
    # services wait for the cluster's capacity providers, or creating them races the association
    assert any("aws_ecs_cluster_capacity_providers" in d for d in ecs_service(document)["depends_on"])


def test_spot_off_runs_on_fargate_only() -> None:
    strategy = ecs_service(compute_json({"api": service()}))["capacity_provider_strategy"]
    assert strategy == [{"capacity_provider": "FARGATE", "weight": 1}]


@pytest.mark.parametrize("spot", [False, True])
def test_capacity_strategy_changes_update_rolling_services_in_place(spot: bool) -> None:
    # provider 5.x replaces a service whose capacity_provider_strategy changes unless force_new_deployment is set
    ecs = ecs_service(compute_json({"api": service(spot={"enabled": spot})}))
    assert ecs["force_new_deployment"] is True
    assert "capacity_provider_strategy" not in ecs.get("lifecycle", {}).get("ignore_changes", [])


# --- deployment strategies -------------------------------------------------------------------------------------


def test_rolling_has_a_rollback_circuit_breaker_and_no_codedeploy() -> None:
    document = compute_json({"api": service(deployment={"min_healthy_percent": 50, "max_percent": 200})})
    ecs = ecs_service(document)
    assert ecs["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
    assert ecs["deployment_controller"] == {"type": "ECS"}
    assert ecs["deployment_minimum_healthy_percent"] == 50 and ecs["deployment_maximum_percent"] == 200
    assert "lifecycle" not in ecs
    for kind in ("aws_codedeploy_app", "aws_codedeploy_deployment_group", "aws_iam_role"):
        assert resources(document, kind) == {}


def test_rolling_without_circuit_breaker() -> None:
    ecs = ecs_service(compute_json({"api": service(deployment={"circuit_breaker": False})}))
    assert "deployment_circuit_breaker" not in ecs


def test_blue_green_deploys_through_codedeploy() -> None:
    document = compute_json({"api": blue_green()})
    ecs = ecs_service(document)
    assert ecs["deployment_controller"] == {"type": "CODE_DEPLOY"}
    assert "deployment_circuit_breaker" not in ecs
    # everything UpdateService refuses for a CODE_DEPLOY service is left to CodeDeploy, never planned in place
    assert ecs["lifecycle"]["ignore_changes"] == [
        "task_definition",
        "load_balancer",
        "network_configuration",
        "platform_version",
        "capacity_provider_strategy",
    ]
    assert "force_new_deployment" not in ecs
    assert ecs["load_balancer"] == [
        {
            "target_group_arn": targets_for("api", blue_green()).primary_arn,
            "container_name": "api",
            "container_port": 8080,
        }
    ]

    app = only(document, "aws_codedeploy_app")
    assert app["compute_platform"] == "ECS" and app["name"] == "acme-dev"
    group = only(document, "aws_codedeploy_deployment_group")
    assert group["deployment_group_name"] == "acme-dev-api"
    assert group["deployment_config_name"] == "CodeDeployDefault.ECSAllAtOnce"
    assert group["deployment_style"] == {"deployment_type": "BLUE_GREEN", "deployment_option": "WITH_TRAFFIC_CONTROL"}
    assert group["auto_rollback_configuration"] == {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}
    terminate = group["blue_green_deployment_config"]["terminate_blue_instances_on_deployment_success"]
    assert terminate == {"action": "TERMINATE", "termination_wait_time_in_minutes": 10}
    pair = group["load_balancer_info"]["target_group_pair_info"]
    assert pair["prod_traffic_route"] == {"listener_arns": [f"{LISTENER}/https/1"]}
    assert pair["test_traffic_route"] == {"listener_arns": [f"{LISTENER}/test/2"]}
    assert pair["target_group"] == [{"name": "acme-dev-api"}, {"name": "acme-dev-api-green"}]
    assert group["ecs_service"]["service_name"].startswith("${aws_ecs_service.")

    role = only(document, "aws_iam_role")
    assert role["name"] == "acme-dev-codedeploy"
    assert group["service_role_arn"].startswith("${aws_iam_role.")
    (assume,) = document["data"]["aws_iam_policy_document"].values()
    assert assume["statement"][0]["principals"] == [{"type": "Service", "identifiers": ["codedeploy.amazonaws.com"]}]
    attachment = only(document, "aws_iam_role_policy_attachment")
    assert attachment["policy_arn"] == "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS"


def test_one_codedeploy_app_and_role_for_several_blue_green_services() -> None:
    document = compute_json({"api": blue_green(), "web": blue_green(port=3000), "jobs": worker()})
    assert len(resources(document, "aws_codedeploy_app")) == 1
    assert len(resources(document, "aws_iam_role")) == 1
    groups = resources(document, "aws_codedeploy_deployment_group").values()
    assert sorted(g["deployment_group_name"] for g in groups) == ["acme-dev-api", "acme-dev-web"]


def test_deployment_config_follows_config() -> None:
    config = ComputeConfig.model_validate(
        {"blue_green_deployment_config": "CodeDeployDefault.ECSCanary10Percent5Minutes"}
    )
    group = only(compute_json({"api": blue_green()}, config), "aws_codedeploy_deployment_group")
    assert group["deployment_config_name"] == "CodeDeployDefault.ECSCanary10Percent5Minutes"


def test_ci_owned_task_definitions_are_ignored_on_rolling_services() -> None:
    config = ComputeConfig.model_validate({"ignore_task_definition_changes": True})
    ecs = ecs_service(compute_json({"api": service()}, config))
    assert ecs["lifecycle"]["ignore_changes"] == ["task_definition"]


# --- load balancer, network, exec, filesystem ------------------------------------------------------------------


def test_web_service_is_behind_its_target_group_with_a_grace_period() -> None:
    ecs = ecs_service(compute_json({"api": service(deployment={"health_check_grace_period": 120})}))
    assert ecs["health_check_grace_period_seconds"] == 120
    assert [lb["container_name"] for lb in ecs["load_balancer"]] == ["api"]


def test_worker_has_no_load_balancer_and_no_grace_period() -> None:
    document = compute_json({"worker": worker(command=("arq", "app.worker.Settings"))})
    ecs = ecs_service(document, "acme-dev-worker")
    assert "load_balancer" not in ecs and "health_check_grace_period_seconds" not in ecs
    definition = container(document, "acme-dev-worker")
    assert "portMappings" not in definition
    assert definition["command"] == ["arq", "app.worker.Settings"]


def test_tasks_run_in_private_subnets_without_public_ip() -> None:
    network = ecs_service(compute_json({"api": service()}))["network_configuration"]
    assert network == {"subnets": ["subnet-a", "subnet-c"], "security_groups": ["sg-api"], "assign_public_ip": False}


def test_exec_on() -> None:
    document = compute_json({"api": service(exec=True)})
    assert ecs_service(document)["enable_execute_command"] is True
    assert container(document)["linuxParameters"] == {"initProcessEnabled": True}


def test_exec_off() -> None:
    document = compute_json({"api": service(exec=False)})
    assert ecs_service(document)["enable_execute_command"] is False
    assert "linuxParameters" not in container(document)


def test_readonly_root_filesystem_on_gets_a_writable_tmp() -> None:
    document = compute_json({"api": service(readonly_root_filesystem=True)})
    definition = container(document)
    assert definition["readonlyRootFilesystem"] is True
    assert definition["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]
    assert task_definition(document)["volume"] == [{"name": "tmp"}]


def test_readonly_root_filesystem_off() -> None:
    document = compute_json({"api": service(readonly_root_filesystem=False)})
    definition = container(document)
    assert definition["readonlyRootFilesystem"] is False and "mountPoints" not in definition
    assert "volume" not in task_definition(document)


def test_exec_with_readonly_root_filesystem_is_refused() -> None:
    with pytest.raises(ValueError, match="ECS Exec needs a writable root filesystem"):
        compute_json({"api": service(exec=True, readonly_root_filesystem=True)})


# --- task definition and container -----------------------------------------------------------------------------


def test_task_definition_is_fargate_awsvpc_with_size_roles_and_platform() -> None:
    task = task_definition(compute_json({"api": service(cpu=1024, memory=2048)}))
    assert task["requires_compatibilities"] == ["FARGATE"] and task["network_mode"] == "awsvpc"
    assert (task["cpu"], task["memory"]) == ("1024", "2048")
    assert task["execution_role_arn"] == f"{ACCOUNT_ARN}:role/acme-dev-api-execution"
    assert task["task_role_arn"] == f"{ACCOUNT_ARN}:role/acme-dev-api-task"
    assert task["runtime_platform"] == {"operating_system_family": "LINUX", "cpu_architecture": "X86_64"}


def test_arm64_runtime_platform() -> None:
    task = task_definition(
        compute_json({"api": service()}, ComputeConfig.model_validate({"cpu_architecture": "ARM64"}))
    )
    assert task["runtime_platform"]["cpu_architecture"] == "ARM64"


def test_container_definition_has_image_port_secrets_and_sorted_environment() -> None:
    config = service(
        image_tag="v1.2.3",
        environment={"NODE_ENV": "production", "APP_PORT": "8080", "LOG_LEVEL": "info"},
        secrets={"DB_PASSWORD": "db:password", "JWT_SECRET": "secret:jwt", "DATABASE_URL": "ssm:db-url"},
    )
    secrets = {"DB_PASSWORD": DB_PASSWORD, "JWT_SECRET": JWT, "DATABASE_URL": SSM_URL}
    document = compute_json({"api": config}, wiring={"api": wiring_for("api", config, secrets=secrets)})
    definition = container(document)
    assert definition["name"] == "api" and definition["essential"] is True
    assert definition["image"] == "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/acme-dev-api:v1.2.3"
    assert definition["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert definition["environment"] == [
        {"name": "APP_PORT", "value": "8080"},
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "NODE_ENV", "value": "production"},
    ]
    assert definition["secrets"] == [
        {"name": "DATABASE_URL", "valueFrom": SSM_URL},
        {"name": "DB_PASSWORD", "valueFrom": DB_PASSWORD},
        {"name": "JWT_SECRET", "valueFrom": JWT},
    ]
    # no secret value is ever in the document, only references
    assert "valueFrom" not in json.dumps(definition["environment"])


def test_container_logs_to_its_own_encrypted_log_group() -> None:
    document = compute_json({"api": service(log_retention_days=14)})
    (log_group,) = [
        g for g in resources(document, "aws_cloudwatch_log_group").values() if g["name"] == "/ecs/acme-dev/api"
    ]
    assert log_group["retention_in_days"] == 14 and log_group["kms_key_id"] == KMS
    assert service_log_group_name("acme-dev", "api") == "/ecs/acme-dev/api"
    logging = container(document)["logConfiguration"]
    assert logging["logDriver"] == "awslogs"
    assert logging["options"]["awslogs-group"].startswith("${aws_cloudwatch_log_group.")
    assert logging["options"]["awslogs-region"] == "ap-northeast-1"
    assert logging["options"]["awslogs-stream-prefix"] == "api"


def test_container_health_check_when_a_command_is_given() -> None:
    config = ComputeConfig.model_validate({"container_health_check": {"interval": 15, "start_period": 30}})
    document = compute_json({"api": service(health_check_command=("curl -f http://localhost:8080/health",))}, config)
    assert container(document)["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f http://localhost:8080/health"],
        "interval": 15,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 30,
    }
    assert "healthCheck" not in container(compute_json({"api": service()}))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("CMD-SHELL", "curl -f localhost"), ["CMD-SHELL", "curl -f localhost"]),
        (("CMD", "/bin/health"), ["CMD", "/bin/health"]),
        (("curl -f localhost || exit 1",), ["CMD-SHELL", "curl -f localhost || exit 1"]),
        (("/bin/grpc_health_probe", "-addr=:50051"), ["CMD", "/bin/grpc_health_probe", "-addr=:50051"]),
    ],
)
def test_health_check_command_forms(given: tuple[str, ...], expected: list[str]) -> None:
    assert health_check_command(given) == expected


def test_health_check_timeout_must_be_shorter_than_interval() -> None:
    with pytest.raises(ValueError, match="shorter than the interval"):
        ComputeConfig.model_validate({"container_health_check": {"interval": 5, "timeout": 5}})


def test_service_settings() -> None:
    ecs = ecs_service(compute_json({"api": service(desired_count=2)}))
    assert ecs["desired_count"] == 2 and ecs["platform_version"] == "LATEST"
    assert ecs["propagate_tags"] == "SERVICE" and ecs["enable_ecs_managed_tags"] is True
    assert ecs["task_definition"].startswith("${aws_ecs_task_definition.")


# --- autoscaling -----------------------------------------------------------------------------------------------


def policies(document: Json) -> dict[str, Json]:
    return {p["name"]: p for p in resources(document, "aws_appautoscaling_policy").values()}


def test_no_autoscaling_means_no_scaling_resources() -> None:
    document = compute_json({"api": service()})
    assert resources(document, "aws_appautoscaling_target") == {}
    assert resources(document, "aws_appautoscaling_policy") == {}
    assert "lifecycle" not in ecs_service(document)


def test_autoscaling_target_covers_the_service_desired_count() -> None:
    document = compute_json({"api": service(desired_count=2, autoscaling={"min": 1, "max": 10})})
    target = only(document, "aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (1, 10)
    assert target["service_namespace"] == "ecs" and target["scalable_dimension"] == "ecs:service:DesiredCount"
    assert target["resource_id"].startswith("service/${aws_ecs_cluster.")
    # Application Auto Scaling owns the desired count once the service runs
    assert ecs_service(document)["lifecycle"]["ignore_changes"] == ["desired_count"]


@pytest.mark.parametrize(
    ("scaling", "suffix", "metric", "target"),
    [
        ({"cpu_target": 70}, "cpu", "ECSServiceAverageCPUUtilization", 70),
        ({"cpu_target": None, "memory_target": 80}, "memory", "ECSServiceAverageMemoryUtilization", 80),
        ({"cpu_target": None, "requests_per_target": 1000}, "requests", "ALBRequestCountPerTarget", 1000),
    ],
)
def test_predefined_metric_policies(scaling: Json, suffix: str, metric: str, target: float) -> None:
    autoscaling = {"min": 1, "max": 4, "scale_in_cooldown": 600, "scale_out_cooldown": 30, **scaling}
    document = compute_json({"api": service(autoscaling=autoscaling)})
    (policy,) = policies(document).values()
    assert policy["name"] == f"acme-dev-api-{suffix}" and policy["policy_type"] == "TargetTrackingScaling"
    tracking = policy["target_tracking_scaling_policy_configuration"]
    assert tracking["target_value"] == target
    assert (tracking["scale_in_cooldown"], tracking["scale_out_cooldown"]) == (600, 30)
    assert tracking["predefined_metric_specification"]["predefined_metric_type"] == metric
    assert "customized_metric_specification" not in tracking
    label = tracking["predefined_metric_specification"].get("resource_label")
    if suffix == "requests":
        assert label == f"{ALB_SUFFIX}/targetgroup/acme-dev-api/aaaa"
    else:
        assert label is None


def test_custom_metric_policy_for_active_connections() -> None:
    autoscaling = {
        "min": 1,
        "max": 6,
        "cpu_target": None,
        "custom_metric": {
            "namespace": "acme/dev",
            "name": "ActiveConnections",
            "target": 500.0,
            "dimensions": {"Service": "realtime", "Cluster": "acme-dev"},
        },
    }
    document = compute_json({"realtime": service(protocol="websocket", autoscaling=autoscaling)})
    (policy,) = policies(document).values()
    assert policy["name"] == "acme-dev-realtime-custom"
    tracking = policy["target_tracking_scaling_policy_configuration"]
    assert "predefined_metric_specification" not in tracking
    assert tracking["customized_metric_specification"] == {
        "namespace": "acme/dev",
        "metric_name": "ActiveConnections",
        "statistic": "Average",
        # the platform's Environment dimension keeps environments sharing an account and namespace apart
        "dimensions": [
            {"name": "Cluster", "value": "acme-dev"},
            {"name": "Environment", "value": "acme-dev"},
            {"name": "Service", "value": "realtime"},
        ],
    }
    assert (tracking["target_value"], tracking["scale_in_cooldown"], tracking["scale_out_cooldown"]) == (500, 300, 60)
    # ... and the app is told exactly where to publish: namespace, name and the full dimension set
    variables = {item["name"]: item["value"] for item in container(document, "acme-dev-realtime")["environment"]}
    assert variables == {
        "SCALING_METRIC_NAMESPACE": "acme/dev",
        "SCALING_METRIC_NAME": "ActiveConnections",
        "SCALING_METRIC_DIMENSIONS": '{"Cluster":"acme-dev","Environment":"acme-dev","Service":"realtime"}',
    }


def test_without_a_custom_metric_the_app_gets_no_metric_variables() -> None:
    document = compute_json({"api": service(autoscaling={"cpu_target": 70})})
    assert "environment" not in container(document)


def test_the_environment_dimension_and_metric_variables_are_reserved() -> None:
    metric = {"namespace": "Realtime", "name": "ActiveConnections", "target": 500.0}
    with pytest.raises(ValueError, match="the platform sets Environment"):
        service(autoscaling={"custom_metric": {**metric, "dimensions": {"Environment": "prod"}}})
    with pytest.raises(ValueError, match="set by the platform for the custom scaling metric"):
        service(autoscaling={"custom_metric": metric}, environment={"SCALING_METRIC_NAME": "x"})
    with pytest.raises(ValueError, match="AWS/ namespaces are reserved"):
        service(autoscaling={"custom_metric": {**metric, "namespace": "AWS/ECS"}})


# --- image tags and the first deploy ---------------------------------------------------------------------------

REPOSITORY = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/acme-dev-api"


def test_a_pinned_tag_runs_the_configured_count() -> None:
    document = compute_json({"api": service(image_tag="v2", desired_count=2)})
    assert ecs_service(document)["desired_count"] == 2
    assert container(document)["image"] == f"{REPOSITORY}:v2"


def test_without_any_tag_the_service_exists_with_no_tasks() -> None:
    # first apply on empty repositories: nothing to pull, so nothing starts (and nothing crash-loops)
    config = service(image_tag=None, desired_count=2, autoscaling={"min": 2, "max": 4})
    document = compute_json({"api": config})
    assert ecs_service(document)["desired_count"] == 0
    target = only(document, "aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (0, 0)
    assert container(document)["image"] == f"{REPOSITORY}:no-image-yet"


def test_a_tag_reference_starts_the_tasks_once_ci_supplies_a_tag() -> None:
    # the stack hands in the deployed-tag parameter's value; any Terraform reference behaves the same
    config = service(image_tag=None, desired_count=2, autoscaling={"min": 2, "max": 4})
    app = Testing.app()
    stack = TerraformStack(app, "test")
    variable = TerraformVariable(stack, "image_tag_api", type="string", default="no-image-yet")
    build(stack, {"api": config}, wiring={"api": wiring_for("api", config, image_tag=variable.string_value)})
    document = synth_json(stack)
    assert ecs_service(document)["desired_count"] == '${(var.image_tag_api == "no-image-yet") ? 0 : 2}'
    target = only(document, "aws_appautoscaling_target")
    assert target["min_capacity"] == '${(var.image_tag_api == "no-image-yet") ? 0 : 2}'
    assert target["max_capacity"] == '${(var.image_tag_api == "no-image-yet") ? 0 : 4}'
    assert container(document)["image"] == f"{REPOSITORY}:${{var.image_tag_api}}"


# --- environment references to stack values --------------------------------------------------------------------


def test_environment_references_resolve_to_stack_values() -> None:
    config = service(
        environment={
            "DB_HOST": "${db.host}",
            "DATABASE_URL_BASE": "postgresql://${db.host}:${db.port}/${db.name}",
            "LITERAL": "$${not.a.reference}",
        },
        secrets={"DB_PASSWORD": "db:password"},
    )
    values = {"db.host": "${aws_rds_cluster.db.endpoint}", "db.port": "5432", "db.name": "app"}
    document = compute_json({"api": config}, stack_values=values)
    variables = {item["name"]: item["value"] for item in container(document)["environment"]}
    assert variables == {
        "DB_HOST": "${aws_rds_cluster.db.endpoint}",
        "DATABASE_URL_BASE": "postgresql://${aws_rds_cluster.db.endpoint}:5432/app",
        "LITERAL": "$${not.a.reference}",
    }
    # the password stays a secret reference: it is injected at task start, never written into the JSON
    assert "password" not in json.dumps(variables).lower()


def test_a_reference_without_a_stack_value_is_refused() -> None:
    with pytest.raises(ValueError, match=r"environment\.DB_HOST references \['db.host'\]"):
        compute_json({"api": service(environment={"DB_HOST": "${db.host}"})})


def test_one_policy_per_configured_target() -> None:
    autoscaling = {"min": 1, "max": 4, "cpu_target": 70, "memory_target": 75, "requests_per_target": 500}
    document = compute_json({"api": service(autoscaling=autoscaling)})
    assert sorted(policies(document)) == ["acme-dev-api-cpu", "acme-dev-api-memory", "acme-dev-api-requests"]
    assert len(resources(document, "aws_appautoscaling_target")) == 1


def test_worker_scales_on_cpu_without_a_load_balancer() -> None:
    document = compute_json({"worker": worker(autoscaling={"min": 0, "max": 3})})
    (policy,) = policies(document).values()
    predefined = policy["target_tracking_scaling_policy_configuration"]["predefined_metric_specification"]
    assert predefined == {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}


# --- service set, ordering and outputs -------------------------------------------------------------------------


def test_only_enabled_services_are_created() -> None:
    compute: dict[str, Compute] = {}
    app = Testing.app()
    stack = TerraformStack(app, "test")
    compute["c"] = build(stack, {"api": service(), "worker": worker(enabled=False)})
    document = synth_json(stack)
    assert [s["name"] for s in resources(document, "aws_ecs_service").values()] == ["acme-dev-api"]
    assert sorted(compute["c"].service_names) == ["api"]
    assert sorted(compute["c"].log_group_names) == ["api"]


def test_depends_on_orders_services_and_skips_disabled_dependencies() -> None:
    services = {
        "web": service(port=3000, depends_on=("api", "worker")),
        "api": service(),
        "worker": worker(enabled=False),
    }
    document = compute_json(services)
    web = ecs_service(document, "acme-dev-web")
    api_ids = [key for key, s in resources(document, "aws_ecs_service").items() if s["name"] == "acme-dev-api"]
    assert f"aws_ecs_service.{api_ids[0]}" in web["depends_on"]
    assert all("worker" not in dependency for dependency in web["depends_on"])


def test_service_waits_for_its_wiring_dependencies() -> None:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    rule = CloudwatchLogGroup(stack, "listener_rule_stand_in", name="stand-in")
    config = service()
    build(stack, {"api": config}, wiring={"api": wiring_for("api", config, dependencies=(rule,))})
    document = synth_json(stack)
    assert f"aws_cloudwatch_log_group.{rule.friendly_unique_id}" in ecs_service(document)["depends_on"]


def test_dependency_cycle_is_refused() -> None:
    with pytest.raises(ValueError, match="cycle: api -> web -> api"):
        compute_json({"api": service(depends_on=("web",)), "web": service(port=3000, depends_on=("api",))})


def test_unknown_dependency_is_refused() -> None:
    with pytest.raises(ValueError, match="depends_on 'db'"):
        compute_json({"api": service(depends_on=("db",))})


def test_outputs_name_the_created_resources() -> None:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    compute = build(stack, {"api": blue_green(), "worker": worker()})
    assert sorted(compute.service_names) == sorted(compute.log_group_names) == ["api", "worker"]
    assert sorted(compute.log_group_arns) == sorted(compute.task_definition_families) == ["api", "worker"]
    assert sorted(compute.codedeploy_deployment_group_names) == ["api"]
    assert compute.codedeploy_app_name is not None
    outputs = {
        "cluster": compute.cluster_name,
        "api": compute.service_names["api"],
        "api_logs": compute.log_group_names["api"],
        "app": compute.codedeploy_app_name,
    }
    for key, value in outputs.items():
        TerraformOutput(stack, key, value=value)
    values = {key: output["value"] for key, output in synth_json(stack)["output"].items()}
    assert values["cluster"].startswith("${aws_ecs_cluster.") and values["cluster"].endswith(".name}")
    assert values["api"].startswith("${aws_ecs_service.")
    assert values["api_logs"].startswith("${aws_cloudwatch_log_group.")
    assert values["app"].startswith("${aws_codedeploy_app.")

    rolling = build(TerraformStack(Testing.app(), "other"), {"api": service()})
    assert rolling.codedeploy_app_name is None and rolling.codedeploy_deployment_group_names == {}


# --- wiring checks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "override", "message"),
    [
        (service(secrets={"JWT": "secret:jwt"}), {"secrets": {}}, r"secrets \['JWT'\] have no resolved ARN"),
        (service(environment={"JWT": "x"}), {"secrets": {"JWT": JWT}}, "both as environment variables and as secrets"),
        (service(), {"targets": None}, "needs target groups"),
        (worker(), {"targets": ServiceTargets("arn", "name", "suffix", 8080)}, "has no load balancer"),
        (service(), {"targets": ServiceTargets("arn", "name", "suffix", 3000)}, "forward to port 3000"),
        (blue_green(), {"test_listener_arn": None}, "needs a second target group and prod and test listener"),
        (
            service(autoscaling={"min": 1, "max": 2, "requests_per_target": 100}),
            {"alb_arn_suffix": None},
            "no alb_arn_suffix",
        ),
    ],
)
def test_wiring_that_contradicts_the_config_is_refused(config: ServiceConfig, override: Json, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compute_json({"api": config}, wiring={"api": wiring_for("api", config, **override)})


def test_missing_wiring_is_refused() -> None:
    with pytest.raises(ValueError, match="has no ServiceWiring"):
        compute_json({"api": service()}, wiring={})


def test_synthesis_is_deterministic() -> None:
    services = {
        "api": service(environment={"B": "2", "A": "1"}, autoscaling={"min": 1, "max": 3}),
        "worker": worker(),
    }
    assert compute_json(services) == compute_json(services)


# --- real Terraform --------------------------------------------------------------------------------------------


def test_compute_module_validates_with_terraform(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    services = {
        "web": service(
            port=3000,
            spot={"enabled": True},
            readonly_root_filesystem=True,
            health_check_command=("curl -f http://localhost:3000/health || exit 1",),
            autoscaling={"min": 1, "max": 4, "memory_target": 80, "requests_per_target": 1000},
            depends_on=("api",),
        ),
        "api": blue_green(
            exec=True,
            secrets={"DB_PASSWORD": "db:password", "DATABASE_URL": "ssm:db-url"},
            environment={"NODE_ENV": "production"},
            autoscaling={
                "min": 1,
                "max": 10,
                "custom_metric": {"namespace": "acme/dev", "name": "ActiveConnections", "target": 500.0},
            },
        ),
        "worker": worker(command=("arq", "app.worker.Settings"), autoscaling={"min": 1, "max": 2}),
    }
    wiring = {key: wiring_for(key, config) for key, config in services.items()}
    wiring["api"] = wiring_for("api", services["api"], secrets={"DB_PASSWORD": DB_PASSWORD, "DATABASE_URL": SSM_URL})
    app, stack = module_test_stack(tmp_path)
    build(stack, services, wiring=wiring)
    synth_and_validate(app, "module", tmp_path, terraform_env)


# --- pure planning (modules/compute/deployment.py) -------------------------------------------------------------


def test_capacity_strategy_plan() -> None:
    from modules.compute.deployment import CapacityShare, capacity_strategy

    assert capacity_strategy(service().spot) == (CapacityShare("FARGATE", 1),)
    spot = service(spot={"enabled": True, "base": 2, "on_demand_weight": 1, "spot_weight": 4}).spot
    assert capacity_strategy(spot) == (CapacityShare("FARGATE", 1, 2), CapacityShare("FARGATE_SPOT", 4))


def test_ignored_changes_plan() -> None:
    from modules.compute.deployment import CODE_DEPLOY_OWNED, forces_new_deployment, ignored_changes

    rolling, green = service(), blue_green(autoscaling={"min": 1, "max": 2})
    assert ignored_changes(rolling, ci_owns_task_definitions=False) == []
    assert ignored_changes(rolling, ci_owns_task_definitions=True) == ["task_definition"]
    assert ignored_changes(green, ci_owns_task_definitions=False) == [*CODE_DEPLOY_OWNED, "desired_count"]
    assert forces_new_deployment(rolling) and not forces_new_deployment(green)


# --- variables the platform sets (bucket names, queue URLs) --------------------------------------------------------


def test_platform_variables_join_the_config_environment() -> None:
    api = service(environment={"PORT": "8080"})
    wiring = {"api": wiring_for("api", api, environment={"UPLOADS_BUCKET": "acme-dev-uploads"})}
    variables = {
        item["name"]: item["value"] for item in container(compute_json({"api": api}, wiring=wiring))["environment"]
    }
    assert variables == {"PORT": "8080", "UPLOADS_BUCKET": "acme-dev-uploads"}


def test_platform_variable_also_in_the_config_is_refused() -> None:
    api = service(environment={"UPLOADS_BUCKET": "mine"})
    wiring = {"api": wiring_for("api", api, environment={"UPLOADS_BUCKET": "acme-dev-uploads"})}
    with pytest.raises(ValueError, match=r"\['UPLOADS_BUCKET'\] are set both"):
        compute_json({"api": api}, wiring=wiring)
