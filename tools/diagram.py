"""The architecture of one environment, read from its synthesized Terraform JSON (pure: no cdktf, no config).

Drawn from the stacks rather than the config, so a picture cannot disagree with what is deployed. An environment
kept in one state is one `cdk.tf.json`; one kept `per_layer` is several (`{env}-{layer}`), which `merge_stacks`
joins back into one document by replacing each cdktf cross-stack reference (a `terraform_remote_state` output)
with the expression the producing stack outputs. `build_diagram` then reads the resources the picture shows:

- edge: Route 53 alias names, CloudFront distributions, WAF web ACLs (and "Internet" when a group allows it);
- the VPC's subnets by tier (the `Tier` tag) and availability zone, with what runs in them: ALB and NAT gateways,
  ECS services, Lambda functions in the VPC, the bastion, Batch compute, Aurora/RDS, ElastiCache;
- a side column: buckets, queues, DynamoDB tables, Cognito user pools, HTTP APIs, Batch job queues, other Lambdas;
- links: ALB listener rules -> target groups -> services (path/host patterns), CloudFront origins (path patterns),
  DNS aliases, WAF associations, HTTP API routes -> functions, security-group ingress between groups (port).

Node ids are `{type without aws_}__{logical id}`: the same in both pictures and the same whether an environment
is one stack or one per layer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

EDGE = "edge"
SIDE = "side"
TIER_ORDER = ("public", "private", "database")
"""Subnet tiers top to bottom; other tiers follow in name order."""

REMOTE_STATE = re.compile(r"data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)")
REFERENCE = re.compile(r"(?<![\w.])(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)")
INTERPOLATION = re.compile(r"^\$\{(.*)\}$", re.DOTALL)
EXPRESSION = re.compile(r"\$\{[^}]*\}")
CROSS_STACK_INPUT = "cross-stack-reference-input-"
OPEN_WORLD = ("0.0.0.0/0", "::/0")
ENGINES = {"aurora-postgresql": "Aurora PostgreSQL", "aurora-mysql": "Aurora MySQL", "aurora": "Aurora MySQL"}


@dataclass(frozen=True, order=True)
class Subnet:
    tier: str
    az: str
    cidr: str
    id: str


@dataclass(frozen=True, order=True)
class Node:
    """One box: `tier` is EDGE, SIDE or a subnet tier; `azs` the zones it runs in (empty outside the VPC)."""

    id: str
    kind: str
    label: str
    tier: str
    azs: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Edge:
    """An arrow; `style` is one of route, origin, dns, waf, network (security group), call."""

    source: str
    target: str
    label: str
    style: str


@dataclass(frozen=True)
class Diagram:
    environment: str
    vpc: str
    """The VPC's label (name and CIDR), empty without a VPC."""
    subnets: tuple[Subnet, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    tiers: tuple[str, ...] = field(default=())
    """The subnet tiers in drawing order."""

    def node(self, node_id: str) -> Node:
        return next(node for node in self.nodes if node.id == node_id)


def node_id(resource_type: str, name: str) -> str:
    """The id of a resource's box, valid in XML and as a Mermaid node id."""
    return re.sub(r"\W", "_", f"{resource_type.removeprefix('aws_')}__{name}")


# --- merging the stacks of one environment ---------------------------------------------------------------------


def merge_stacks(documents: Mapping[str, Json]) -> Json:
    """One document of all `documents` (stack name -> cdk.tf.json) with cross-stack references resolved.

    A reader stack names its input `cross-stack-reference-input-{stack}` and reads `outputs.<name>`; the producer
    declares `output.<name>.value`, an expression such as `${aws_subnet.x.id}` whose inside replaces the read.
    """
    outputs: dict[tuple[str, str], str] = {}
    for stack, document in documents.items():
        for name, output in document.get("output", {}).items():
            match = INTERPOLATION.match(str(output.get("value", "")))
            if match:
                outputs[(stack, name)] = match.group(1)

    def resolve(text: str) -> str:
        for _ in range(len(documents) + 1):  # an output may itself read another stack's output
            replaced = REMOTE_STATE.sub(
                lambda m: outputs.get((m.group(1).removeprefix(CROSS_STACK_INPUT), m.group(2)), m.group(0)), text
            )
            if replaced == text:
                return text
            text = replaced
        return text

    merged: Json = {"resource": {}}
    for stack in sorted(documents):
        for resource_type, resources in documents[stack].get("resource", {}).items():
            bucket = merged["resource"].setdefault(resource_type, {})
            for name, body in resources.items():
                bucket.setdefault(name, _map_strings(body, resolve))
    return merged


def _map_strings(value: Any, change: Any) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    return value


# --- reading the model ------------------------------------------------------------------------------------------


def references(value: Any, resource_type: str | None = None) -> list[tuple[str, str]]:
    """Every `(type, name)` a value refers to (`${aws_x.name.attr}`), in order, optionally of one type."""
    found: list[tuple[str, str]] = []
    for text in _strings(value):
        for match in REFERENCE.finditer(text):
            pair = (match.group(1), match.group(2))
            if (resource_type is None or pair[0] == resource_type) and pair not in found:
                found.append(pair)
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _first(value: Any) -> Json:
    """A nested block: cdktf writes some as an object, some as a one-item list."""
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else {}
    return value if isinstance(value, dict) else {}


def _blocks(value: Any) -> list[Json]:
    if isinstance(value, dict):
        return [value]
    return [item for item in value or [] if isinstance(item, dict)]


def readable(text: Any) -> str:
    """A name for a label: Terraform expressions (an account id suffix, say) shortened to `…`."""
    return EXPRESSION.sub("…", str(text or "")).strip("-") or "…"


class _Reader:
    """The resources of one merged document, and what the diagram has taken from them so far."""

    def __init__(self, document: Json) -> None:
        self.resources: dict[str, dict[str, Json]] = document.get("resource", {})
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str], Edge] = {}
        self.security_groups: dict[str, list[str]] = {}
        """Security group logical id -> the nodes it is attached to."""
        self.subnets: dict[str, Subnet] = {}

    def each(self, resource_type: str) -> list[tuple[str, Json]]:
        return sorted(self.resources.get(resource_type, {}).items())

    def get(self, resource_type: str, name: str) -> Json:
        return dict(self.resources.get(resource_type, {}).get(name, {}))

    def add(self, key: tuple[str, str], kind: str, label: str, tier: str, azs: Sequence[str] = ()) -> str:
        """A box for resource `key` (type, logical id); returns its id."""
        identifier = node_id(*key)
        self.nodes[identifier] = Node(identifier, kind, label, tier, tuple(sorted(set(azs))))
        return identifier

    def link(self, source: str, target: str, label: str, style: str) -> None:
        """An arrow; a second one between the same boxes joins its label to the first."""
        if source not in self.nodes or target not in self.nodes or source == target:
            return
        existing = self.edges.get((source, target))
        if existing is None:
            self.edges[(source, target)] = Edge(source, target, label, style)
        elif label and label not in existing.label.split("; "):
            joined = f"{existing.label}; {label}" if existing.label else label
            self.edges[(source, target)] = Edge(source, target, joined, existing.style)

    def attach(self, identifier: str, groups: Any) -> None:
        for _, group in references(groups, "aws_security_group"):
            self.security_groups.setdefault(group, []).append(identifier)

    def placement(self, subnet_refs: Any) -> tuple[str, list[str]]:
        """(tier, zones) of the subnets a value refers to; the first tier in drawing order wins."""
        subnets = [self.subnets[name] for _, name in references(subnet_refs, "aws_subnet") if name in self.subnets]
        if not subnets:
            return ("", [])
        tiers = sorted({subnet.tier for subnet in subnets}, key=_tier_rank)
        return (tiers[0], [subnet.az for subnet in subnets if subnet.tier == tiers[0]])

    def subnet_group(self, resource_type: str, reference: Any) -> Any:
        """The subnet ids of the (db/elasticache) subnet group a value refers to."""
        for _, name in references(reference, resource_type):
            return self.get(resource_type, name).get("subnet_ids", [])
        return []


def _tier_rank(tier: str) -> tuple[int, str]:
    return (TIER_ORDER.index(tier), tier) if tier in TIER_ORDER else (len(TIER_ORDER), tier)


def _zone(availability_zone: Any) -> str:
    """`ap-northeast-1a` -> `a` (the letter the subnets are named by); other spellings as they are."""
    text = str(availability_zone or "?")
    match = re.fullmatch(r"[a-z]{2}(?:-[a-z]+)+-\d+([a-z])", text)
    return match.group(1) if match else readable(text)


def build_diagram(environment: str, document: Json) -> Diagram:
    """The picture's content for one environment's (merged) Terraform JSON."""
    reader = _Reader(document)
    vpc = ""
    for _, body in reader.each("aws_vpc")[:1]:
        vpc = f"VPC {readable(body.get('tags', {}).get('Name', ''))} {body.get('cidr_block', '')}".strip()
    for name, body in reader.each("aws_subnet"):
        tags = body.get("tags") or {}
        tier = str(tags.get("Tier") or "private")
        reader.subnets[name] = Subnet(tier, _zone(body.get("availability_zone")), str(body.get("cidr_block", "")), name)
    _inside_vpc(reader)
    _outside_vpc(reader)
    _load_balancer_routes(reader)
    _edge_links(reader)
    _security_group_links(reader)
    tiers = tuple(sorted({subnet.tier for subnet in reader.subnets.values()}, key=_tier_rank))
    return Diagram(
        environment=environment,
        vpc=vpc,
        subnets=tuple(sorted(reader.subnets.values(), key=lambda s: (_tier_rank(s.tier), s.az, s.cidr))),
        nodes=tuple(sorted(reader.nodes.values())),
        edges=tuple(sorted(reader.edges.values())),
        tiers=tiers,
    )


def _inside_vpc(reader: _Reader) -> None:
    """The boxes placed in subnets, each attached to its security groups."""
    for name, body in reader.each("aws_lb"):
        tier, azs = reader.placement(body.get("subnets"))
        kind = {"network": "NLB", "gateway": "GWLB"}.get(str(body.get("load_balancer_type")), "ALB")
        identifier = reader.add(("aws_lb", name), kind, readable(body.get("name")), tier or EDGE, azs)
        reader.attach(identifier, body.get("security_groups"))
    for name, body in reader.each("aws_nat_gateway"):
        tier, azs = reader.placement(body.get("subnet_id"))
        label = readable((body.get("tags") or {}).get("Name") or name)
        reader.add(("aws_nat_gateway", name), "NAT gateway", label, tier or SIDE, azs)
    for name, body in reader.each("aws_ecs_service"):
        network = _first(body.get("network_configuration"))
        tier, azs = reader.placement(network.get("subnets"))
        identifier = reader.add(("aws_ecs_service", name), "ECS service", readable(body.get("name")), tier or SIDE, azs)
        reader.attach(identifier, network.get("security_groups"))
    for name, body in reader.each("aws_lambda_function"):
        vpc_config = _first(body.get("vpc_config"))
        tier, azs = reader.placement(vpc_config.get("subnet_ids"))
        label = readable(body.get("function_name"))
        identifier = reader.add(("aws_lambda_function", name), "Lambda", label, tier or SIDE, azs)
        reader.attach(identifier, vpc_config.get("security_group_ids"))
    for name, body in reader.each("aws_instance"):
        tier, azs = reader.placement(body.get("subnet_id"))
        label = readable((body.get("tags") or {}).get("Name") or name)
        identifier = reader.add(("aws_instance", name), "EC2 instance", label, tier or SIDE, azs)
        reader.attach(identifier, body.get("vpc_security_group_ids"))
    for name, body in reader.each("aws_batch_compute_environment"):
        resources = _first(body.get("compute_resources"))
        tier, azs = reader.placement(resources.get("subnets"))
        label = readable(body.get("name") or body.get("compute_environment_name") or resources.get("type") or name)
        identifier = reader.add(("aws_batch_compute_environment", name), "Batch compute", label, tier or SIDE, azs)
        reader.attach(identifier, resources.get("security_group_ids"))
    for name, body in reader.each("aws_rds_cluster"):
        tier, azs = reader.placement(reader.subnet_group("aws_db_subnet_group", body.get("db_subnet_group_name")))
        members = [item.get("cluster_identifier") for _, item in reader.each("aws_rds_cluster_instance")]
        count = sum(1 for member in members if ("aws_rds_cluster", name) in references(member))
        engine = str(body.get("engine", "aurora"))
        label = f"{readable(body.get('cluster_identifier'))} ({count} instance{'s' if count != 1 else ''})"
        identifier = reader.add(("aws_rds_cluster", name), ENGINES.get(engine, engine), label, tier or SIDE, azs)
        reader.attach(identifier, body.get("vpc_security_group_ids"))
    for name, body in reader.each("aws_db_instance"):
        tier, azs = reader.placement(reader.subnet_group("aws_db_subnet_group", body.get("db_subnet_group_name")))
        kind = f"RDS {body.get('engine', '')}".strip()
        identifier = reader.add(
            ("aws_db_instance", name), kind, readable(body.get("identifier") or name), tier or SIDE, azs
        )
        reader.attach(identifier, body.get("vpc_security_group_ids"))
    for resource_type, key in (
        ("aws_elasticache_replication_group", "replication_group_id"),
        ("aws_elasticache_cluster", "cluster_id"),
    ):
        for name, body in reader.each(resource_type):
            subnets = reader.subnet_group("aws_elasticache_subnet_group", body.get("subnet_group_name"))
            tier, azs = reader.placement(subnets)
            kind = f"ElastiCache {body.get('engine', 'redis')}"
            identifier = reader.add((resource_type, name), kind, readable(body.get(key)), tier or SIDE, azs)
            reader.attach(identifier, body.get("security_group_ids"))


def _outside_vpc(reader: _Reader) -> None:
    """Edge and side boxes, with the links among them that need no subnet."""
    for name, body in reader.each("aws_cloudfront_distribution"):
        aliases = ", ".join(str(alias) for alias in body.get("aliases") or []) or "default domain"
        reader.add(("aws_cloudfront_distribution", name), "CloudFront", aliases, EDGE)
    for name, body in reader.each("aws_wafv2_web_acl"):
        reader.add(
            ("aws_wafv2_web_acl", name), f"WAF ({str(body.get('scope', '')).lower()})", readable(body["name"]), EDGE
        )
    for name, body in reader.each("aws_s3_bucket"):
        label = readable((body.get("tags") or {}).get("Name") or body.get("bucket") or name)
        reader.add(("aws_s3_bucket", name), "S3 bucket", label, SIDE)
    for name, body in reader.each("aws_sqs_queue"):
        reader.add(("aws_sqs_queue", name), "SQS queue", readable(body.get("name") or name), SIDE)
    for name, body in reader.each("aws_sqs_queue"):
        for _, target in references(body.get("redrive_policy"), "aws_sqs_queue"):
            reader.link(node_id("aws_sqs_queue", name), node_id("aws_sqs_queue", target), "dead letters", "call")
    for name, body in reader.each("aws_dynamodb_table"):
        reader.add(("aws_dynamodb_table", name), "DynamoDB table", readable(body.get("name") or name), SIDE)
    for name, body in reader.each("aws_cognito_user_pool"):
        reader.add(("aws_cognito_user_pool", name), "Cognito user pool", readable(body.get("name") or name), SIDE)
    for name, body in reader.each("aws_apigatewayv2_api"):
        kind = f"{body.get('protocol_type', 'HTTP')} API"
        reader.add(("aws_apigatewayv2_api", name), kind, readable(body.get("name") or name), SIDE)
    for name, body in reader.each("aws_batch_job_queue"):
        identifier = reader.add(("aws_batch_job_queue", name), "Batch job queue", readable(body.get("name")), SIDE)
        for _, target in references(body.get("compute_environment_order"), "aws_batch_compute_environment"):
            reader.link(identifier, node_id("aws_batch_compute_environment", target), "runs on", "call")
    routes: dict[str, list[str]] = {}
    for _, body in reader.each("aws_apigatewayv2_route"):
        for _, integration in references(body.get("target"), "aws_apigatewayv2_integration"):
            routes.setdefault(integration, []).append(str(body.get("route_key", "")))
    for name, body in reader.each("aws_apigatewayv2_integration"):
        for api_type, api in references(body.get("api_id"), "aws_apigatewayv2_api"):
            for target_type, target in references(body.get("integration_uri")):
                label = ", ".join(sorted(routes.get(name, [])))
                reader.link(node_id(api_type, api), node_id(target_type, target), label, "call")
    for _, body in reader.each("aws_apigatewayv2_authorizer"):
        for api_type, api in references(body.get("api_id"), "aws_apigatewayv2_api"):
            for pool_type, pool in references(body.get("jwt_configuration"), "aws_cognito_user_pool"):
                reader.link(node_id(api_type, api), node_id(pool_type, pool), "JWT authorizer", "call")


def _load_balancer_routes(reader: _Reader) -> None:
    """ALB -> service for each listener rule (and forwarding default action), labelled `port: patterns`."""
    services_of: dict[str, list[str]] = {}
    for name, body in reader.each("aws_ecs_service"):
        for _, group in references(body.get("load_balancer"), "aws_lb_target_group"):
            services_of.setdefault(group, []).append(node_id("aws_ecs_service", name))
    for _, body in reader.each("aws_codedeploy_deployment_group"):  # blue/green: the second target group
        deployed = references(_first(body.get("ecs_service")).get("service_name"), "aws_ecs_service")
        for _, group in references(body.get("load_balancer_info"), "aws_lb_target_group"):
            for _, service_name in deployed:
                services_of.setdefault(group, []).append(node_id("aws_ecs_service", service_name))
    routes: list[tuple[tuple[str, str], str, str]] = []
    for _, listener in reader.each("aws_lb_listener"):
        for _, group in references(listener.get("default_action"), "aws_lb_target_group"):
            routes.append((_listener_key(listener), group, "*"))
    for _, rule in reader.each("aws_lb_listener_rule"):
        listener_refs = references(rule.get("listener_arn"), "aws_lb_listener")
        if not listener_refs:
            continue
        listener = reader.get(*listener_refs[0])
        patterns: list[str] = []
        for condition in _blocks(rule.get("condition")):
            for key in ("host_header", "path_pattern"):
                patterns.extend(str(value) for value in _first(condition.get(key)).get("values", []))
        for _, group in references(rule.get("action"), "aws_lb_target_group"):
            routes.append((_listener_key(listener), group, " ".join(patterns) or "*"))
    by_link: dict[tuple[str, str], dict[str, list[str]]] = {}
    for (balancer, port), group, pattern in routes:
        for service in services_of.get(group, []):
            by_link.setdefault((balancer, service), {}).setdefault(port, []).append(pattern)
    for (balancer, service), ports in sorted(by_link.items()):
        label = " · ".join(f"{port}: {', '.join(sorted(set(found)))}" for port, found in sorted(ports.items()))
        reader.link(balancer, service, label, "route")


def _listener_key(listener: Json) -> tuple[str, str]:
    balancer = references(listener.get("load_balancer_arn"), "aws_lb")
    return (node_id(*balancer[0]) if balancer else "", str(listener.get("port", "")))


def _edge_links(reader: _Reader) -> None:
    """DNS aliases, CloudFront origins (labelled with their path patterns) and WAF associations."""
    names: dict[str, list[str]] = {}
    aliases: dict[str, dict[str, list[str]]] = {}
    for _, body in reader.each("aws_route53_record"):
        alias = _first(body.get("alias"))
        pointed = references(alias.get("name"))
        if not alias or not pointed or "${" in str(body.get("name")):
            continue
        record = str(body["name"]).rstrip(".")
        for target_type, target in pointed[:1]:
            aliases.setdefault(record, {}).setdefault(node_id(target_type, target), []).append(str(body.get("type")))
            names.setdefault(record, []).append(node_id(target_type, target))
    for record, targets in sorted(aliases.items()):
        identifier = reader.add(("dns", record), "Route 53 name", record, EDGE)
        for target, types in sorted(targets.items()):
            reader.link(identifier, target, "/".join(sorted(set(types))), "dns")
    for name, body in reader.each("aws_cloudfront_distribution"):
        distribution = node_id("aws_cloudfront_distribution", name)
        behaviours = {"default": _first(body.get("default_cache_behavior"))}
        for behaviour in _blocks(body.get("ordered_cache_behavior")):
            behaviours[str(behaviour.get("path_pattern"))] = behaviour
        for origin in _blocks(body.get("origin")):
            paths = [
                path
                for path, behaviour in behaviours.items()
                if behaviour.get("target_origin_id") == origin.get("origin_id")
            ]
            found = _origin_target(reader, origin, names)
            if found is None:
                domain = readable(origin.get("domain_name"))
                found = reader.add(("origin", f"{name}_{origin.get('origin_id')}"), "external origin", domain, EDGE)
            label = f"origin {origin.get('origin_id')}: {', '.join(paths) or 'unused'}"
            reader.link(distribution, found, label, "origin")
        for acl_type, acl in references(body.get("web_acl_id"), "aws_wafv2_web_acl"):
            reader.link(node_id(acl_type, acl), distribution, "filters", "waf")
    for _, body in reader.each("aws_wafv2_web_acl_association"):
        for acl_type, acl in references(body.get("web_acl_arn"), "aws_wafv2_web_acl"):
            for target_type, target in references(body.get("resource_arn")):
                reader.link(node_id(acl_type, acl), node_id(target_type, target), "filters", "waf")


def _origin_target(reader: _Reader, origin: Json, names: Mapping[str, list[str]]) -> str | None:
    """The box an origin's domain resolves to: a referenced resource, or a Route 53 alias of that literal name."""
    for target_type, target in references(origin.get("domain_name")):
        if node_id(target_type, target) in reader.nodes:
            return node_id(target_type, target)
    found = names.get(str(origin.get("domain_name", "")).rstrip("."), [])
    return found[0] if found else None


def _security_group_links(reader: _Reader) -> None:
    """Source -> target for every ingress a security group allows from another group (or the internet)."""
    rules: list[tuple[str, Json]] = []  # (target group, rule) in the shape of aws_vpc_security_group_ingress_rule
    for _, body in reader.each("aws_vpc_security_group_ingress_rule"):
        for _, group in references(body.get("security_group_id"), "aws_security_group")[:1]:
            rules.append((group, body))
    for _, body in reader.each("aws_security_group_rule"):
        if body.get("type") == "ingress":
            for _, group in references(body.get("security_group_id"), "aws_security_group")[:1]:
                rule = {
                    **body,
                    "ip_protocol": body.get("protocol"),
                    "referenced_security_group_id": body.get("source_security_group_id"),
                    "cidr_ipv4": " ".join(body.get("cidr_blocks") or []),
                }
                rules.append((group, rule))
    for name, body in reader.each("aws_security_group"):
        for block in _blocks(body.get("ingress")):
            rule = {
                **block,
                "ip_protocol": block.get("protocol"),
                "referenced_security_group_id": block.get("security_groups"),
                "cidr_ipv4": " ".join(block.get("cidr_blocks") or []),
            }
            rules.append((name, rule))
    for group, rule in rules:
        port = _port(rule)
        for target in reader.security_groups.get(group, []):
            for _, source_group in references(rule.get("referenced_security_group_id"), "aws_security_group"):
                for source in reader.security_groups.get(source_group, []):
                    reader.link(source, target, port, "network")
            if (
                any(block in str(rule.get("cidr_ipv4", "")) for block in OPEN_WORLD)
                or rule.get("cidr_ipv6") in OPEN_WORLD
            ):
                reader.nodes.setdefault("internet", Node("internet", "Internet", "any address", EDGE))
                reader.link("internet", target, port, "network")
            elif rule.get("prefix_list_id"):
                sources = [node for node in reader.nodes.values() if node.kind == "CloudFront"]
                for distribution in sorted(sources):
                    reader.link(distribution.id, target, f"{port} (origin-facing prefix list)", "network")


def _port(rule: Json) -> str:
    protocol = str(rule.get("ip_protocol") or "tcp")
    if protocol in ("-1", "all"):
        return "all traffic"
    low, high = rule.get("from_port"), rule.get("to_port")
    return f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"


def load_stack(path: Any) -> Json:
    with open(path, encoding="utf-8") as handle:
        document: Json = json.load(handle)
    return document
