"""`python main.py cost`: the estimated monthly cost of each environment, from its synthesized stacks.

The synthesized Terraform JSON is what gets deployed, so the estimate reads it rather than the config: the number
of NAT gateways and endpoint ENIs, task sizes, desired counts and autoscaling maxima, ACU range, instance classes,
node counts. Prices come from the bundled table (tools/prices.py, dated list prices with their sources); what
depends on traffic (requests, GB transferred, log volume) comes from the environment's `[cost]` assumptions
(config/cost.py, stated defaults). Baseline: services at their desired count and Aurora at its minimum ACU; peak:
services at their autoscaling maximum and Aurora at its maximum ACU. Every resource is accounted for: priced,
usage-priced but not estimated, free, or unknown to the table; none is dropped silently.

Pure apart from `cost_main` (the command), which reads the config and synthesizes into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.cost import CostConfig

if TYPE_CHECKING:
    from config import PlatformConfig

from tools.prices import HOURS_PER_MONTH, PRICES_AS_OF, Price, UnknownRegionError, region_prices

SCHEMA = "platform-cost/1"
"""Version of the `--format json` document; changes when a key is renamed or removed."""

H = HOURS_PER_MONTH
Json = dict[str, Any]

USAGE_ONLY = {
    "aws_apigatewayv2_api": "requests",
    "aws_batch_compute_environment": "Fargate time of the jobs that run",
    "aws_cognito_identity_pool": "identities (AWS credentials are free)",
    "aws_cognito_user_pool": "monthly active users",
    "aws_dynamodb_table": "on-demand reads and writes, storage",
    "aws_ecr_repository": "image storage, GB-month",
    "aws_ecs_cluster": "Container Insights metrics",
    "aws_lambda_function": "requests and GB-seconds",
    "aws_route53_record": "DNS queries (alias queries to AWS resources are free)",
    "aws_sesv2_email_identity": "messages sent",
    "aws_sns_topic": "requests and deliveries",
    "aws_sqs_queue": "requests",
}
"""Resource types that only cost by use; listed under each environment, not estimated."""

FREE_TYPES = frozenset(
    {
        "aws_acm_certificate",
        "aws_acm_certificate_validation",
        "aws_appautoscaling_policy",
        "aws_appautoscaling_target",
        "aws_cloudfront_origin_access_control",
        "aws_cloudwatch_log_metric_filter",
        "aws_codedeploy_app",
        "aws_codedeploy_deployment_group",
        "aws_db_parameter_group",
        "aws_db_subnet_group",
        "aws_default_security_group",
        "aws_ecr_lifecycle_policy",
        "aws_ecs_cluster_capacity_providers",
        "aws_ecs_task_definition",
        "aws_elasticache_parameter_group",
        "aws_elasticache_subnet_group",
        "aws_internet_gateway",
        "aws_kms_alias",
        "aws_lambda_permission",
        "aws_rds_cluster_parameter_group",
        "aws_route",
        "aws_s3_object",
        "aws_secretsmanager_secret_version",
        "aws_ses_domain_identity_verification",
        "aws_security_group",
        "aws_ssm_document",
        "aws_ssm_parameter",
        "aws_subnet",
        "aws_vpc",
        "terraform_data",
    }
)
"""Resource types AWS does not charge for (standard SSM parameters; a task definition costs only when it runs)."""

FREE_PREFIXES = (
    "aws_apigatewayv2_",  # the API is usage-priced; its routes, stages and integrations are not
    "aws_batch_job_",
    "aws_cognito_",
    "aws_iam_",
    "aws_lb_",
    "aws_route_table",
    "aws_s3_bucket_",
    "aws_sesv2_",
    "aws_sns_topic_",
    "aws_sqs_queue_",
    "aws_vpc_security_group_",
    "aws_wafv2_web_acl_",
)
"""Families of free resource types (the parent resource, e.g. aws_s3_bucket, is matched first)."""

PRICED_TYPES = frozenset(
    {
        "aws_cloudfront_distribution",
        "aws_cloudtrail",
        "aws_cloudwatch_dashboard",
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_metric_alarm",
        "aws_db_instance",
        "aws_ecs_service",
        "aws_eip",
        "aws_elasticache_replication_group",
        "aws_flow_log",
        "aws_instance",
        "aws_kms_key",
        "aws_lb",
        "aws_nat_gateway",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_route53_zone",
        "aws_s3_bucket",
        "aws_secretsmanager_secret",
        "aws_vpc_endpoint",
        "aws_wafv2_web_acl",
    }
)
"""Resource types the estimate prices (a resource of these types may still be reported unpriced, with a reason)."""

_REFERENCE = re.compile(r"\$\{([a-z0-9_]+)\.([A-Za-z0-9_]+)[.}]")
_CONDITIONAL_COUNT = re.compile(r"\?\s*0\s*:\s*(\d+)\s*\}$")


class CostError(Exception):
    """The estimate cannot be made (a region the price table lacks); the message says why."""


@dataclass(frozen=True)
class Line:
    """One priced component of an environment: USD per month at baseline and at peak."""

    component: str
    detail: str
    baseline: float
    peak: float
    resources: int
    """How many resources of the stacks this line prices (0 for a usage line such as internet data transfer)."""
    prices: tuple[str, ...]
    """The price-table keys it uses."""


@dataclass(frozen=True)
class Unpriced:
    """Resources of one type the estimate does not price, and why."""

    type: str
    count: int
    reason: str


@dataclass(frozen=True)
class FargateUse:
    """Task-hours of one service per month: on-demand and Spot, at baseline and at peak."""

    spot_baseline: float
    tasks_baseline: float
    spot_peak: float
    tasks_peak: float


@dataclass(frozen=True)
class EnvironmentEstimate:
    """One environment's estimate: its lines, subtotals, Spot share and every resource not priced."""

    name: str
    region: str
    stacks: tuple[str, ...]
    lines: tuple[Line, ...]
    unpriced: tuple[Unpriced, ...]
    free: int
    assumptions: CostConfig
    fargate: tuple[FargateUse, ...] = field(default=())

    @property
    def baseline(self) -> float:
        return sum(line.baseline for line in self.lines)

    @property
    def peak(self) -> float:
        return sum(line.peak for line in self.lines)

    @property
    def priced(self) -> int:
        return sum(line.resources for line in self.lines)

    def spot_share(self, peak: bool) -> float | None:
        """Share of Fargate task-hours on Spot (None without Fargate services)."""
        tasks = sum(use.tasks_peak if peak else use.tasks_baseline for use in self.fargate)
        spot = sum(use.spot_peak if peak else use.spot_baseline for use in self.fargate)
        return spot / tasks if tasks else None


@dataclass
class _Resources:
    """The resources of one environment's stacks, by type then id, and the home region of their provider."""

    by_type: dict[str, dict[str, Json]]

    def of(self, kind: str) -> dict[str, Json]:
        return self.by_type.get(kind, {})

    def get(self, reference: object, kind: str) -> Json | None:
        """The resource a `${kind.id.attr}` reference names, if it is in these stacks."""
        match = _REFERENCE.search(reference) if isinstance(reference, str) else None
        if match is None or match.group(1) != kind:
            return None
        return self.of(kind).get(match.group(2))


def count_value(value: object) -> int | None:
    """A synthesized count: a number, or the count of `${(<no image yet>) ? 0 : N}` once an image is deployed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        if value.strip().isdigit():
            return int(value)
        match = _CONDITIONAL_COUNT.search(value)
        if match:
            return int(match.group(1))
    return None


def _money(value: float) -> str:
    """Dollars with cents, or with as many decimals as a unit price has ($0.0243)."""
    return f"${value:,.2f}" if round(value, 2) == value else f"${value:g}"


def _tasks(count: float, spot: float) -> str:
    on_spot = f" ({_qty(spot)} on Spot)" if spot else ""
    return f"{_qty(count)} task{'' if count == 1 else 's'}{on_spot}"


def _qty(value: float) -> str:
    return f"{value:g}"


class _Estimator:
    def __init__(self, resources: _Resources, prices: Mapping[str, Price], usage: CostConfig) -> None:
        self.r = resources
        self.p = prices
        self.u = usage
        self.lines: list[Line] = []
        self.unpriced: Counter[tuple[str, str]] = Counter()
        self.fargate: list[FargateUse] = []
        self.free = 0
        """Resources of priced types that cost nothing (a gateway endpoint)."""

    def price(self, key: str) -> float:
        return self.p[key].usd

    def add(self, component: str, detail: str, baseline: float, peak: float, resources: int, *keys: str) -> None:
        self.lines.append(Line(component, detail, baseline, peak, resources, keys))

    def skip(self, kind: str, reason: str, count: int = 1) -> None:
        self.unpriced[(kind, reason)] += count

    def run(self) -> None:
        self.network()
        self.load_balancer()
        self.fargate_services()
        self.aurora()
        self.rds()
        self.redis()
        self.edge()
        self.audit_and_logs()
        self.fixed()

    def network(self) -> None:
        nats = len(self.r.of("aws_nat_gateway"))
        if nats:
            hourly = nats * H * self.price("nat_hour")
            data = self.u.nat_gb * self.price("nat_gb")
            detail = (
                f"{nats} x {H} h x {_money(self.price('nat_hour'))} + {_qty(self.u.nat_gb)} GB x "
                f"{_money(self.price('nat_gb'))}"
            )
            self.add("NAT gateways", detail, hourly + data, hourly + data, nats, "nat_hour", "nat_gb")
        interface = [e for e in self.r.of("aws_vpc_endpoint").values() if e.get("vpc_endpoint_type") == "Interface"]
        gateway = len(self.r.of("aws_vpc_endpoint")) - len(interface)
        self.free += gateway  # gateway endpoints (S3, DynamoDB) cost nothing
        if interface:
            enis = sum(len(e.get("subnet_ids") or ()) or 1 for e in interface)
            hourly = enis * H * self.price("endpoint_hour")
            data = self.u.endpoint_gb * self.price("endpoint_gb")
            detail = (
                f"{len(interface)} endpoints in {enis} AZ-ENIs x {H} h x {_money(self.price('endpoint_hour'))} + "
                f"{_qty(self.u.endpoint_gb)} GB x {_money(self.price('endpoint_gb'))}"
            )
            cost = hourly + data
            self.add("Interface VPC endpoints", detail, cost, cost, len(interface), "endpoint_hour", "endpoint_gb")
        addresses = len(self.r.of("aws_eip"))
        for lb in self.r.of("aws_lb").values():
            if not lb.get("internal") and lb.get("load_balancer_type", "application") == "application":
                addresses += len(lb.get("subnets") or ())
        if addresses:
            cost = addresses * H * self.price("public_ipv4")
            detail = f"{addresses} addresses (NAT EIPs, ALB nodes) x {H} h x {_money(self.price('public_ipv4'))}"
            self.add("Public IPv4 addresses", detail, cost, cost, len(self.r.of("aws_eip")), "public_ipv4")

    def load_balancer(self) -> None:
        for lb in self.r.of("aws_lb").values():
            if lb.get("load_balancer_type", "application") != "application":
                self.skip("aws_lb", f"{lb.get('load_balancer_type')} load balancer: not in the price table")
                continue
            hourly = H * self.price("alb_hour")
            lcu = self.u.alb_lcu * H * self.price("alb_lcu")
            detail = (
                f"{H} h x {_money(self.price('alb_hour'))} + {_qty(self.u.alb_lcu)} LCU x {H} h x "
                f"{_money(self.price('alb_lcu'))}"
            )
            self.add(f"ALB {lb.get('name', '')}".strip(), detail, hourly + lcu, hourly + lcu, 1, "alb_hour", "alb_lcu")

    def fargate_services(self) -> None:
        cluster_default = None
        for providers in self.r.of("aws_ecs_cluster_capacity_providers").values():
            cluster_default = providers.get("default_capacity_provider_strategy")
        targets: dict[str, Json] = {}
        for target in self.r.of("aws_appautoscaling_target").values():
            match = re.search(r"aws_ecs_service\.([A-Za-z0-9_]+)\.name", str(target.get("resource_id", "")))
            if match:
                targets[match.group(1)] = target
        for key, service in sorted(self.r.of("aws_ecs_service").items(), key=lambda item: item[1].get("name", "")):
            name = service.get("name", key)
            task = self.r.get(service.get("task_definition"), "aws_ecs_task_definition")
            desired = count_value(service.get("desired_count", 0))
            if task is None or desired is None or "FARGATE" not in task.get("requires_compatibilities", ()):
                self.skip("aws_ecs_service", f"{name}: not a Fargate service with a known task size and count")
                continue
            scaling = targets.get(key)
            maximum = count_value(scaling.get("max_capacity")) if scaling else desired
            maximum = max(desired, maximum if maximum is not None else desired)
            vcpu, memory = int(task["cpu"]) / 1024, int(task["memory"]) / 1024
            arch = (task.get("runtime_platform") or {}).get("cpu_architecture", "X86_64")
            on_demand = vcpu * self.price(f"fargate_vcpu.{arch}") + memory * self.price(f"fargate_gb.{arch}")
            spot = on_demand * (1 - self.u.spot_discount)
            strategy = service.get("capacity_provider_strategy") or (
                None if service.get("launch_type") else cluster_default
            )
            spot_base, spot_peak = _spot_tasks(strategy, desired), _spot_tasks(strategy, maximum)
            baseline = H * ((desired - spot_base) * on_demand + spot_base * spot)
            peak = H * ((maximum - spot_peak) * on_demand + spot_peak * spot)
            self.fargate.append(FargateUse(spot_base, desired, spot_peak, maximum))
            spot_note = f", Spot {self.u.spot_discount:.0%} off" if spot_base or spot_peak else ""
            detail = (
                f"{_qty(vcpu)} vCPU {_qty(memory)} GB {arch}: {_tasks(desired, spot_base)}, "
                f"{_tasks(maximum, spot_peak)} at max; {_money(on_demand)}/task-h{spot_note}"
            )
            self.add(f"Fargate {name}", detail, baseline, peak, 1, f"fargate_vcpu.{arch}", f"fargate_gb.{arch}")

    def aurora(self) -> None:
        instances: dict[str, list[Json]] = {}
        for instance in self.r.of("aws_rds_cluster_instance").values():
            match = _REFERENCE.search(str(instance.get("cluster_identifier", "")))
            instances.setdefault(match.group(2) if match else "", []).append(instance)
        for key, cluster in self.r.of("aws_rds_cluster").items():
            name = cluster.get("cluster_identifier", key)
            members = instances.pop(key, [])
            serverless = [i for i in members if i.get("instance_class") == "db.serverless"]
            for other in members:
                if other not in serverless:
                    self.skip("aws_rds_cluster_instance", f"Aurora {other.get('instance_class')}: not in the table")
            scaling = cluster.get("serverlessv2_scaling_configuration") or {}
            if serverless and scaling:
                low, high = float(scaling["min_capacity"]), float(scaling["max_capacity"])
                n, acu = len(serverless), self.price("aurora_acu")
                detail = f"{n} x {_qty(low)}-{_qty(high)} ACU x {H} h x {_money(acu)}"
                self.add(f"Aurora {name} ACU", detail, n * low * H * acu, n * high * H * acu, n, "aurora_acu")
            elif serverless:
                self.skip("aws_rds_cluster_instance", f"{name}: serverless without a scaling range", len(serverless))
            storage = self.u.database_gb * self.price("aurora_storage")
            io = self.u.database_io_millions * self.price("aurora_io")
            detail = (
                f"{_qty(self.u.database_gb)} GB x {_money(self.price('aurora_storage'))} + "
                f"{_qty(self.u.database_io_millions)} M I/O x {_money(self.price('aurora_io'))}"
            )
            self.add(f"Aurora {name} storage", detail, storage + io, storage + io, 1, "aurora_storage", "aurora_io")
        for members in instances.values():
            self.skip("aws_rds_cluster_instance", "instance of a cluster outside these stacks", len(members))

    def rds(self) -> None:
        for key, db in self.r.of("aws_db_instance").items():
            name = db.get("identifier", key)
            klass, storage_type = db.get("instance_class", ""), db.get("storage_type", "gp2")
            if f"rds.{klass}" not in self.p or f"rds_storage.{storage_type}" not in self.p:
                self.skip("aws_db_instance", f"{name}: {klass} / {storage_type} not in the price table")
                continue
            copies = 2 if db.get("multi_az") else 1
            allocated = float(db.get("allocated_storage", 20))
            ceiling = max(allocated, float(db.get("max_allocated_storage") or 0))
            hourly, per_gb = self.price(f"rds.{klass}"), self.price(f"rds_storage.{storage_type}")
            compute = copies * H * hourly
            multi = " Multi-AZ" if copies == 2 else ""
            detail = (
                f"{klass}{multi}: {copies} x {H} h x {_money(hourly)} + {copies} x {_qty(allocated)}"
                f"{f'-{_qty(ceiling)}' if ceiling > allocated else ''} GB {storage_type} x {_money(per_gb)}"
            )
            self.add(
                f"RDS {name}",
                detail,
                compute + copies * allocated * per_gb,
                compute + copies * ceiling * per_gb,
                1,
                f"rds.{klass}",
                f"rds_storage.{storage_type}",
            )

    def redis(self) -> None:
        for key, group in self.r.of("aws_elasticache_replication_group").items():
            name, node = group.get("replication_group_id", key), group.get("node_type", "")
            nodes = group.get("num_cache_clusters")
            if nodes is None:
                nodes = int(group.get("num_node_groups", 1)) * (int(group.get("replicas_per_node_group", 0)) + 1)
            if f"cache.{node}" not in self.p:
                self.skip("aws_elasticache_replication_group", f"{name}: {node} not in the price table")
                continue
            hourly = self.price(f"cache.{node}")
            cost = int(nodes) * H * hourly
            self.add(f"Redis {name}", f"{nodes} x {node} x {H} h x {_money(hourly)}", cost, cost, 1, f"cache.{node}")

    def edge(self) -> None:
        distributions = len(self.r.of("aws_cloudfront_distribution"))
        gb, requests = self.u.data_out_gb, self.u.requests_millions
        if distributions:
            cost = gb * self.price("cloudfront_gb") + requests * 100 * self.price("cloudfront_https")
            detail = (
                f"no monthly fee; {_qty(gb)} GB x {_money(self.price('cloudfront_gb'))} + {_qty(requests)} M "
                f"requests x {_money(self.price('cloudfront_https'))}/10k"
            )
            self.add(
                f"CloudFront ({distributions} distribution{'s' if distributions > 1 else ''})",
                detail,
                cost,
                cost,
                distributions,
                "cloudfront_gb",
                "cloudfront_https",
            )
        elif self.r.of("aws_lb") and gb:
            cost = gb * self.price("internet_out")
            detail = f"{_qty(gb)} GB x {_money(self.price('internet_out'))} (no CloudFront)"
            self.add("Data transfer out to the internet", detail, cost, cost, 0, "internet_out")
        for acl in self.r.of("aws_wafv2_web_acl").values():
            rules = len(acl.get("rule") or ())
            cost = self.price("waf_web_acl") + rules * self.price("waf_rule") + requests * self.price("waf_requests")
            detail = (
                f"{_money(self.price('waf_web_acl'))} + {rules} rules x {_money(self.price('waf_rule'))} + "
                f"{_qty(requests)} M requests x {_money(self.price('waf_requests'))}"
            )
            scope = str(acl.get("scope", "REGIONAL")).lower()
            self.add(f"WAF {acl.get('name', scope)}", detail, cost, cost, 1, "waf_web_acl", "waf_rule", "waf_requests")

    def audit_and_logs(self) -> None:
        for trail in self.r.of("aws_cloudtrail").values():
            events = self.u.trail_events_millions
            cost = events * 10 * self.price("cloudtrail_copy")
            detail = (
                "first copy of management events: free"
                if not events
                else f"{_qty(events)} M events x {_money(self.price('cloudtrail_copy'))}/100k (additional copy)"
            )
            self.add(f"CloudTrail {trail.get('name', '')}".strip(), detail, cost, cost, 1, "cloudtrail_copy")
        groups = self.r.of("aws_cloudwatch_log_group")
        if groups:
            months = [min(int(g.get("retention_in_days") or 365), 365) / 30 for g in groups.values()]
            stored = self.u.log_gb * sum(months) / len(months)
            cost = self.u.log_gb * self.price("logs_ingest") + stored * self.price("logs_storage")
            detail = (
                f"{len(groups)} groups: {_qty(self.u.log_gb)} GB x {_money(self.price('logs_ingest'))} + "
                f"{stored:.1f} GB kept x {_money(self.price('logs_storage'))}"
            )
            flow_logs = len(self.r.of("aws_flow_log"))
            self.add("CloudWatch Logs", detail, cost, cost, len(groups) + flow_logs, "logs_ingest", "logs_storage")
        elif self.r.of("aws_flow_log"):
            self.skip(
                "aws_flow_log", "delivers to a log group or bucket outside these stacks", len(self.r.of("aws_flow_log"))
            )

    def fixed(self) -> None:
        for kind, component, key in (
            ("aws_kms_key", "KMS keys", "kms_key"),
            ("aws_secretsmanager_secret", "Secrets Manager secrets", "secret"),
            ("aws_cloudwatch_metric_alarm", "CloudWatch alarms", "alarm"),
            ("aws_cloudwatch_dashboard", "CloudWatch dashboards", "dashboard"),
            ("aws_route53_zone", "Route 53 hosted zones", "hosted_zone"),
        ):
            count = len(self.r.of(kind))
            if count:
                cost = count * self.price(key)
                self.add(component, f"{count} x {_money(self.price(key))}", cost, cost, count, key)
        for key, instance in self.r.of("aws_instance").items():
            kind = instance.get("instance_type", "")
            root = instance.get("root_block_device") or {}
            size = float(root.get("volume_size") or 8)
            if f"ec2.{kind}" not in self.p:
                self.skip("aws_instance", f"{key}: {kind} not in the price table")
                continue
            cost = H * self.price(f"ec2.{kind}") + size * self.price("ebs_gp3")
            detail = (
                f"{H} h x {_money(self.price(f'ec2.{kind}'))} + {_qty(size)} GB gp3 x {_money(self.price('ebs_gp3'))}"
            )
            self.add(f"EC2 {kind}", detail, cost, cost, 1, f"ec2.{kind}", "ebs_gp3")
        buckets = len(self.r.of("aws_s3_bucket"))
        if buckets:
            cost = self.u.storage_gb * self.price("s3_standard")
            per_gb = _money(self.price("s3_standard"))
            detail = f"{buckets} buckets, {_qty(self.u.storage_gb)} GB x {per_gb} (requests not estimated)"
            self.add("S3 storage", detail, cost, cost, buckets, "s3_standard")


def _spot_tasks(strategy: object, tasks: float) -> float:
    """Tasks on FARGATE_SPOT out of `tasks`: each provider's base first, the rest split by weight."""
    if not isinstance(strategy, list | tuple) or not strategy or not tasks:
        return 0.0
    remaining, spot = float(tasks), 0.0
    for item in strategy:
        base = min(float(item.get("base") or 0), remaining)
        remaining -= base
        if item.get("capacity_provider") == "FARGATE_SPOT":
            spot += base
    weights = [(item.get("capacity_provider"), float(item.get("weight") or 0)) for item in strategy]
    total = sum(weight for _, weight in weights)
    if total and remaining:
        spot += remaining * sum(weight for provider, weight in weights if provider == "FARGATE_SPOT") / total
    return spot


def classify(kind: str) -> str | None:
    """'priced', 'usage' or 'free' for a resource type this estimate knows; None for one it does not."""
    if kind in PRICED_TYPES:
        return "priced"
    if kind in USAGE_ONLY:
        return "usage"
    if kind in FREE_TYPES or kind.startswith(FREE_PREFIXES):
        return "free"
    return None


def estimate_environment(
    name: str, documents: Mapping[str, Json], usage: CostConfig, prices_for: Callable[[str], Mapping[str, Price]]
) -> EnvironmentEstimate:
    """The estimate of one environment from the Terraform JSON of its stacks (`{env}` or `{env}-{layer}`)."""
    by_type: dict[str, dict[str, Json]] = {}
    regions = []
    for document in documents.values():
        for provider in (document.get("provider") or {}).get("aws", ()):
            if "alias" not in provider:
                regions.append(str(provider.get("region")))
        for kind, items in (document.get("resource") or {}).items():
            by_type.setdefault(kind, {}).update(items)
    region = regions[0] if regions else "unknown"
    try:
        prices = prices_for(region)
    except UnknownRegionError as error:
        raise CostError(f"environment {name}: {error}") from None
    estimator = _Estimator(_Resources(by_type), prices, usage)
    estimator.run()
    unpriced = [Unpriced(kind, count, reason) for (kind, reason), count in sorted(estimator.unpriced.items())]
    free = estimator.free
    for kind, items in sorted(by_type.items()):
        category = classify(kind)
        if category == "usage":
            unpriced.append(Unpriced(kind, len(items), f"usage-only: {USAGE_ONLY[kind]}"))
        elif category == "free":
            free += len(items)
        elif category is None:
            unpriced.append(Unpriced(kind, len(items), "unknown to the price table"))
    return EnvironmentEstimate(
        name=name,
        region=region,
        stacks=tuple(sorted(documents)),
        lines=tuple(estimator.lines),
        unpriced=tuple(unpriced),
        free=free,
        assumptions=usage,
        fargate=tuple(estimator.fargate),
    )


def read_stacks(outdir: Path) -> dict[str, Json]:
    """Every stack of a synthesized folder (cdktf's manifest.json names their files): stack name -> document."""
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    return {
        name: json.loads((outdir / stack["synthesizedStackPath"]).read_text(encoding="utf-8"))
        for name, stack in manifest["stacks"].items()
    }


def environment_of(stack: str, environments: Sequence[str]) -> str | None:
    """The environment of stack `{env}` or `{env}-{layer}`; None for bootstrap."""
    return next((env for env in environments if stack == env or stack.startswith(f"{env}-")), None)


def estimate(
    stacks: Mapping[str, Json], environments: Sequence[str], usage: Mapping[str, CostConfig]
) -> list[EnvironmentEstimate]:
    """The estimate of each environment in `environments` (promotion order) from the stacks of a synth."""
    result = []
    for env in environments:
        documents = {name: doc for name, doc in stacks.items() if environment_of(name, environments) == env}
        if documents:
            result.append(estimate_environment(env, documents, usage[env], region_prices))
    return result


# --- output -------------------------------------------------------------------------------------------------------

ASSUMPTIONS = (
    f"Prices: AWS public on-demand list prices in USD as of {PRICES_AS_OF} (tools/prices.py), {H} h per month; "
    "no free tier, Savings Plans, Reserved Instances, support plan or tax.",
    "Baseline: services at their desired count, Aurora at its minimum ACU; peak: services at their autoscaling "
    "maximum, Aurora at its maximum ACU, RDS storage at its autoscaling ceiling; everything else is the same in both.",
    "Fargate Spot: the on-demand price less [cost] spot_discount (AWS: up to 70 %; the real price varies by hour).",
    "Usage: the [cost] assumptions below (defaults in config/cost.py); CloudFront priced for viewers in the home "
    "region's geography; WAF requests counted once per web ACL; log storage is the steady state of each group's "
    "retention (at most 12 months).",
    "Not estimated: data transfer between AZs, S3 and API requests, backups beyond the free allowance, and the "
    "bootstrap stack (state bucket and lock table, pennies a month).",
)


def render_text(estimates: Sequence[EnvironmentEstimate]) -> str:
    """A table per environment, the total over all, then the price sources and the assumptions."""
    width = max([len(line.component) for e in estimates for line in e.lines] + [30])
    out: list[str] = []
    header = f"  {'Component':<{width}} {'Baseline':>10} {'Peak':>10}  Detail"
    for e in estimates:
        out.append(f"{e.name} ({e.region}; stacks {', '.join(e.stacks)}): estimated USD per month")
        out.append(header)
        for line in e.lines:
            out.append(f"  {line.component:<{width}} {line.baseline:>10,.2f} {line.peak:>10,.2f}  {line.detail}")
        out.append(f"  {'Subtotal ' + e.name:<{width}} {e.baseline:>10,.2f} {e.peak:>10,.2f}")
        baseline_share, peak_share = e.spot_share(False), e.spot_share(True)
        if baseline_share is not None and peak_share is not None and (baseline_share or peak_share):
            out.append(f"  Fargate Spot share of task-hours: {baseline_share:.0%} baseline, {peak_share:.0%} peak")
        out.append(f"  Priced: {e.priced} resources. No charge: {e.free} resources (IAM, networking, configuration).")
        if e.unpriced:
            out.append("  Not priced:")
            out.extend(f"    {item.type} x {item.count}: {item.reason}" for item in e.unpriced)
        out.append("")
    baseline = sum(e.baseline for e in estimates)
    peak = sum(e.peak for e in estimates)
    out.append(f"  {'All environments':<{width}} {baseline:>10,.2f} {peak:>10,.2f}")
    out.append("")
    out.append("Sources (per price used):")
    for source, keys in _sources(estimates).items():
        out.append(f"  {source}  {', '.join(keys)}")
    out.append("Assumptions:")
    out.extend(f"  - {text}" for text in ASSUMPTIONS)
    for e in estimates:
        values = ", ".join(f"{key} = {value:g}" for key, value in e.assumptions.model_dump().items())
        out.append(f"  - [cost] of {e.name}: {values}")
    return "\n".join(out) + "\n"


def _sources(estimates: Sequence[EnvironmentEstimate]) -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for e in estimates:
        prices = region_prices(e.region)
        for line in e.lines:
            for key in line.prices:
                keys = used.setdefault(prices[key].source, [])
                if key not in keys:
                    keys.append(key)
    return dict(sorted(used.items()))


def render_json(estimates: Sequence[EnvironmentEstimate]) -> str:
    """The `--format json` document (schema `SCHEMA`): amounts in USD per month, rounded to cents."""
    prices: list[Json] = []
    seen: set[tuple[str, str]] = set()
    for e in estimates:
        table = region_prices(e.region)
        for line in e.lines:
            for key in line.prices:
                if (e.region, key) not in seen:
                    seen.add((e.region, key))
                    price = table[key]
                    prices.append(
                        {"region": e.region, "key": key, "usd": price.usd, "unit": price.unit, "source": price.source}
                    )
    document = {
        "schema": SCHEMA,
        "currency": "USD",
        "prices_as_of": PRICES_AS_OF,
        "hours_per_month": H,
        "environments": [
            {
                "name": e.name,
                "region": e.region,
                "stacks": list(e.stacks),
                "lines": [
                    {
                        "component": line.component,
                        "detail": line.detail,
                        "baseline": round(line.baseline, 2),
                        "peak": round(line.peak, 2),
                        "resources": line.resources,
                        "prices": list(line.prices),
                    }
                    for line in e.lines
                ],
                "baseline": round(e.baseline, 2),
                "peak": round(e.peak, 2),
                "spot_share": {"baseline": _share(e.spot_share(False)), "peak": _share(e.spot_share(True))},
                "priced_resources": e.priced,
                "free_resources": e.free,
                "not_priced": [{"type": u.type, "count": u.count, "reason": u.reason} for u in e.unpriced],
                "assumptions": e.assumptions.model_dump(),
            }
            for e in estimates
        ],
        "total": {
            "baseline": round(sum(e.baseline for e in estimates), 2),
            "peak": round(sum(e.peak for e in estimates), 2),
        },
        "prices": prices,
        "notes": list(ASSUMPTIONS),
    }
    return json.dumps(document, indent=2) + "\n"


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# --- the command --------------------------------------------------------------------------------------------------


def parse_args(
    argv: Sequence[str],
    environ: Mapping[str, str],
    *,
    config_variable: str,
    default_config: str,
    environment_names: Sequence[str],
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="main.py cost",
        description="Estimate the monthly cost of each environment from a synth of the config and the bundled "
        f"price table (list prices as of {PRICES_AS_OF}); usage assumptions from the [cost] section.",
    )
    parser.add_argument(
        "--config",
        default=environ.get(config_variable, default_config),
        help=f"platform config file (default: ${config_variable} or {default_config})",
    )
    parser.add_argument(
        "--env",
        dest="environments",
        action="append",
        choices=environment_names,
        metavar="NAME",
        help=f"environment to estimate, repeatable (default: all declared); one of {', '.join(environment_names)}",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument(
        "--synthesized",
        metavar="DIR",
        help="estimate the stacks of this synth output folder (e.g. cdktf.out) instead of synthesizing afresh",
    )
    return parser.parse_args(argv)


Synthesize = Callable[[Any, Sequence[str], Path], object]
"""main.synthesize: (config, environments, output folder)."""


def cost_main(argv: Sequence[str], environ: Mapping[str, str], *, synthesize: Synthesize) -> int:
    """`python main.py cost`: 0 with the estimate on stdout; 2 with one error line for bad input."""
    from config.models import ENVIRONMENT_NAMES

    args = parse_args(
        argv,
        environ,
        config_variable="PLATFORM_CONFIG",
        default_config="environments.toml",
        environment_names=ENVIRONMENT_NAMES,
    )
    try:
        config, environments = _load(args)
        usage = {name: config.environment(name).cost for name in environments}
        stacks = _stacks(args, config, environments, environ, synthesize)
        estimates = estimate(stacks, environments, usage)
    except CostError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(render_json(estimates) if args.format == "json" else render_text(estimates))
    return 0


def _load(args: argparse.Namespace) -> tuple[PlatformConfig, list[str]]:
    """The config and the environments to estimate, in promotion order; CostError with one line otherwise."""
    from config import ConfigError, load_config
    from config.source import decode_config

    path = Path(args.config)
    try:
        config = load_config(decode_config(path.read_bytes(), source=str(path)), source=str(path))
    except OSError as error:
        raise CostError(f"cannot read config {path}: {error.strerror}") from None
    except ConfigError as error:
        raise CostError(str(error.problems[0]) if len(error.problems) == 1 else str(error)) from None
    declared = list(config.environment_names)
    unknown = [name for name in args.environments or [] if name not in declared]
    if unknown:
        raise CostError(f"{path} declares no environment {', '.join(unknown)}; declared: {', '.join(declared)}")
    try:
        region_prices(config.project.region)
    except UnknownRegionError as error:
        raise CostError(f"{path} project.region: {error}") from None
    return config, [name for name in declared if not args.environments or name in args.environments]


def _stacks(
    args: argparse.Namespace,
    config: PlatformConfig,
    environments: Sequence[str],
    environ: Mapping[str, str],
    synthesize: Synthesize,
) -> dict[str, Json]:
    """The stacks to estimate: those of `--synthesized DIR`, else a fresh synth into a temporary folder."""
    from tools.jsii_env import jsii_node_environment

    try:
        if args.synthesized:
            stacks = read_stacks(Path(args.synthesized))
        else:
            os.environ.update(jsii_node_environment(environ))
            with tempfile.TemporaryDirectory(prefix="cost-synth.") as scratch:
                outdir = Path(scratch) / "cdktf.out"
                synthesize(config, environments, outdir)
                stacks = read_stacks(outdir)
    except (OSError, ValueError, KeyError) as error:
        raise CostError(f"cannot read the synthesized stacks: {error}") from None
    missing = [name for name in environments if not any(environment_of(s, environments) == name for s in stacks)]
    if missing:
        raise CostError(f"{args.synthesized} holds no stack of {', '.join(missing)}; synthesize it first")
    return stacks
