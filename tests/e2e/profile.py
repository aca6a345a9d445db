"""The emulator profile: everything the end-to-end test changes or tolerates because moto 5.2.5 is not AWS.

Test-only. Each entry names the emulator behaviour behind it. The synthesized `cdk.tf.json` is never edited: a swap
is written into the stack's `moto_override.tf.json` as `count = 0` on the resource plus a stand-in value for every
attribute of another resource that refers to it; an adjustment (ADJUSTMENTS) rewrites one literal attribute there,
and a supplied attribute (SUPPLIED) sets one that AWS would fill in by itself.
Any apply failure, and any re-plan change not listed in TOLERATED_CHANGES, fails the test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.e2e.emulator import ACCOUNT_ID, REGION


@dataclass(frozen=True)
class Swap:
    """A resource type the emulator cannot create, read back or delete: left out (`count = 0`), and every reference
    to one of its attributes in another resource or an output becomes the literal in `stand_ins`."""

    resource_type: str
    behaviour: str
    stand_ins: Mapping[str, Any]
    """Attribute referred to -> the literal used instead on the emulator (a JSON value, which is also HCL)."""
    stacks: tuple[str, ...] = ()
    """Only in these stacks (empty: every stack)."""
    only_if: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None
    """Only the resources for which this is true, given (stack document, resource body); None: all of them."""


def _bucket_holds_an_object(document: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """The bucket a bucket policy is for is the bucket of an `aws_s3_object` of the same stack."""
    objects = document.get("resource", {}).get("aws_s3_object", {}).values()
    return any(item.get("bucket") == body.get("bucket") for item in objects)


@dataclass(frozen=True)
class Tolerated:
    """A re-plan difference the emulator causes (a read-back gap) that AWS would not show."""

    resource_types: tuple[str, ...]
    attribute: str
    """Top-level attribute whose before and after differ (for `replace`: the attribute forcing the replacement)."""
    behaviour: str
    replace: bool = False
    """The difference forces a replacement (otherwise only an in-place update is tolerated)."""
    unknown_only: bool = False
    """Tolerated only as "known after apply", a consequence of another tolerated change, never as a new value."""
    within: tuple[str, ...] = ()
    """Only these keys of the attribute's blocks may differ (empty: the whole attribute); every other key of every
    block must be equal before and after."""
    same_json: bool = False
    """Tolerated only when before and after are JSON texts of the same value (a re-serialization, never a change)."""


@dataclass(frozen=True)
class Adjusted:
    """A literal attribute value the emulator refuses although AWS accepts it: rewritten on the emulator only."""

    resource_type: str
    attribute: str
    behaviour: str
    adjust: Callable[[str], str]


def _minute_later(window: str) -> str:
    """A weekly window `ddd:hh:mm-ddd:hh:mm` moved one minute later (same length; never across a day end here)."""
    start, end = window.split("-")

    def later(point: str) -> str:
        day, hour, minute = point.split(":")
        total = int(hour) * 60 + int(minute) + 1
        if total >= 24 * 60:
            raise AssertionError(f"{window}: moving it a minute later crosses midnight; extend _minute_later")
        return f"{day}:{total // 60:02d}:{total % 60:02d}"

    return f"{later(start)}-{later(end)}"


ADJUSTMENTS: tuple[Adjusted, ...] = (
    Adjusted(
        "aws_db_instance",
        "maintenance_window",
        "CreateDBInstance refuses a maintenance window that only touches the backup window (03:00-04:00 and "
        "sun:04:00-sun:05:00: 'The backup window and maintenance window must not overlap.', its overlap test counts "
        "a shared end point); AWS accepts adjacent windows. Moved one minute later.",
        _minute_later,
    ),
    Adjusted(
        "aws_rds_cluster_instance",
        "preferred_maintenance_window",
        "ModifyDBInstance of an Aurora member tests its maintenance window against the cluster's backup window with "
        "the same shared-end-point overlap test (03:00-04:00 and ddd:04:00-ddd:05:00 are refused); the teardown's "
        "apply sends that call because the Performance Insights settings are not read back (TOLERATED_CHANGES). "
        "AWS accepts adjacent windows. Moved one minute later.",
        _minute_later,
    ),
)


@dataclass(frozen=True)
class Supplied:
    """An optional attribute AWS fills in by itself that the emulator requires: set on the emulator only, to the
    value AWS would use."""

    resource_type: str
    attribute: str
    value: str | int
    behaviour: str
    key: str | None = None
    """A key inside the attribute's block (the block keeps its other keys); None: the attribute itself."""
    service_linked_role: str | None = None
    """The AWS service whose service-linked role `value` is: created on the emulator before the first apply (as AWS
    creates it on first use), as a role of that name and path, because moto's CreateServiceLinkedRole names it
    differently (AWSServiceRoleForbatch)."""


SUPPLIED: tuple[Supplied, ...] = (
    Supplied(
        "aws_batch_compute_environment",
        "service_role",
        f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
        "CreateComputeEnvironment refuses a request without serviceRole ('ServiceRole is required.'); AWS then uses "
        "the AWSServiceRoleForBatch service-linked role (creating it on first use) for a MANAGED environment. The "
        "emulator gets that role's ARN, and the role is created first.",
        service_linked_role="batch.amazonaws.com",
    ),
    Supplied(
        "aws_instance",
        "root_block_device",
        8,
        "RunInstances refuses a block device mapping without a size or snapshot ('The request must contain the "
        "parameter size or snapshotId'); AWS sizes the root volume from the AMI's snapshot (8 GiB for Amazon Linux "
        "2023). The emulator gets that size.",
        key="volume_size",
    ),
)


SWAPS: tuple[Swap, ...] = (
    Swap(
        "aws_elasticache_parameter_group",
        "CreateCacheParameterGroup is not implemented (HTTP 500).",
        {"name": "default.redis7"},
    ),
    Swap(
        "aws_elasticache_replication_group",
        "CreateReplicationGroup does not create the member cache clusters, so the provider's read-back "
        "(DescribeCacheClusters of <group>-001) answers CacheClusterNotFound.",
        {"id": "emulator-redis", "primary_endpoint_address": "redis.emulator.invalid"},
    ),
    Swap(
        "aws_elasticache_subnet_group",
        "DeleteCacheSubnetGroup is not implemented (HTTP 500), so the stack cannot be destroyed.",
        {"name": "emulator-cache-subnets"},
    ),
    Swap(
        "aws_appautoscaling_target",
        "Application Auto Scaling ListTagsForResource is not implemented (HTTP 500); the provider reads tags back.",
        {
            "resource_id": "service/emulator/emulator",
            "scalable_dimension": "ecs:service:DesiredCount",
            "service_namespace": "ecs",
        },
    ),
    Swap(
        "aws_appautoscaling_policy",
        "Its scalable target is swapped (above); moto refuses a policy without a registered target.",
        {},
    ),
    Swap(
        "aws_codedeploy_app",
        "DeleteApplication is not implemented (HTTP 500), so the stack cannot be destroyed.",
        {"name": "emulator-codedeploy-app"},
    ),
    Swap(
        "aws_codedeploy_deployment_group",
        "DeleteDeploymentGroup is not implemented (HTTP 500), so the stack cannot be destroyed.",
        {"deployment_group_name": "emulator-deployment-group"},
    ),
    Swap(
        "aws_cognito_identity_pool_roles_attachment",
        "SetIdentityPoolRoles is not implemented (HTTP 500).",
        {},
    ),
    Swap(
        "aws_sesv2_configuration_set",
        "GetConfigurationSet answers SendingOptions as {'SendingEnabled': {...}} (the options object nested in "
        "itself), which the provider cannot decode ('expected Enabled to be of type *bool'). CreateEmailIdentity "
        "and Cognito do not check that a named configuration set exists.",
        {"configuration_set_name": "emulator-configuration-set"},
    ),
    Swap(
        "aws_sesv2_email_identity",
        "CreateEmailIdentity answers DkimAttributes.LastKeyGenerationTimestamp as a string, which the provider "
        "cannot decode ('expected Timestamp to be a JSON Number'), so the identity is created but the apply fails.",
        {
            "email_identity": "emulator.example",
            "arn": f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/emulator.example",
            "dkim_signing_attributes": [{"tokens": ["emulator-dkim-1", "emulator-dkim-2", "emulator-dkim-3"]}],
        },
    ),
    Swap(
        "aws_sesv2_email_identity_mail_from_attributes",
        "Its email identity is swapped (above).",
        {},
    ),
    Swap(
        "aws_ses_domain_identity_verification",
        "Its email identity is swapped (above); GetIdentityVerificationAttributes answers Success only for an "
        "identity moto holds (any identity it holds, at once), so there is nothing to wait for.",
        {"arn": f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/emulator.example"},
    ),
    Swap(
        "aws_sqs_queue_redrive_allow_policy",
        "GetQueueAttributes never returns RedriveAllowPolicy, so the provider's wait for it to read back never ends.",
        {},
    ),
    Swap(
        "aws_s3_bucket_policy",
        "Deny statements with a Condition are evaluated without it, so the TLS-only (aws:SecureTransport) policy of "
        "the state bucket denies every request, terraform init included.",
        {},
        stacks=("bootstrap",),
    ),
    Swap(
        "aws_s3_bucket_policy",
        "The same Deny evaluation (above): the TLS-only policy of a bucket the stack puts an object into denies "
        "reading that object back (HeadObject answers 403 on the re-plan). Only such buckets' policies.",
        {},
        only_if=_bucket_holds_an_object,
    ),
)
SECURITY_GROUP_RULES = ("aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule")

TOLERATED_CHANGES: tuple[Tolerated, ...] = (
    Tolerated(
        ("aws_ecs_service",),
        "capacity_provider_strategy",
        "DescribeServices returns no capacityProviderStrategy, so the provider sees it removed (ForceNew).",
        replace=True,
    ),
    Tolerated(
        ("aws_iam_role_policy",),
        "policy",
        "Known after apply only because it names ECS service ARNs or the RDS-managed secret of a resource the "
        "emulator re-plans (above), never a new value.",
        unknown_only=True,
    ),
    Tolerated(
        ("aws_db_parameter_group",),
        "parameter",
        "DescribeDBParameters does not return the user-set parameter values.",
    ),
    Tolerated(
        ("aws_rds_cluster",),
        "scaling_configuration",
        "DescribeDBClusters returns no ScalingConfigurationInfo.",
    ),
    *(
        Tolerated(
            ("aws_rds_cluster_instance", "aws_db_instance"),
            attribute,
            "DescribeDBInstances does not return the Performance Insights settings.",
        )
        for attribute in (
            "performance_insights_enabled",
            "performance_insights_kms_key_id",
            "performance_insights_retention_period",
        )
    ),
    Tolerated(
        SECURITY_GROUP_RULES,
        "description",
        "DescribeSecurityGroupRules returns no Description for a rule that references a security group.",
    ),
    Tolerated(
        SECURITY_GROUP_RULES,
        "referenced_security_group_id",
        "DescribeSecurityGroupRules returns the referenced group as <account>/<sg-id> (the cross-account form).",
    ),
    *(
        Tolerated(
            ("aws_cloudfront_distribution",),
            attribute,
            "GetDistribution returns the legacy ForwardedValues defaults on a cache behaviour that names a cache "
            "policy (AWS returns none), so the provider sees forwarded_values to remove.",
            within=("forwarded_values",),
        )
        for attribute in ("default_cache_behavior", "ordered_cache_behavior")
    ),
    Tolerated(
        ("aws_cloudfront_distribution",),
        "origin",
        "GetDistribution returns no OriginAccessControlId on an origin.",
        within=("origin_access_control_id",),
    ),
    Tolerated(
        ("aws_cloudfront_distribution",),
        "viewer_certificate",
        "GetDistribution returns CloudFrontDefaultCertificate = true beside the ACM certificate the distribution "
        "was created with.",
        within=("cloudfront_default_certificate",),
    ),
    *(
        Tolerated(
            ("aws_ecs_service",),
            attribute,
            "DescribeServices returns no enableECSManagedTags, healthCheckGracePeriodSeconds or "
            "availabilityZoneRebalancing; seen on a service the emulator updates in place (CODE_DEPLOY controller) "
            "rather than replacing (capacity_provider_strategy, above).",
        )
        for attribute in (
            "enable_ecs_managed_tags",
            "health_check_grace_period_seconds",
            "availability_zone_rebalancing",
        )
    ),
    Tolerated(
        ("aws_instance",),
        "associate_public_ip_address",
        "DescribeInstances returns an empty Association on the network interface of an instance without a public "
        "IP (AWS leaves it out), which the provider reads as a public IP, forcing a replacement.",
        replace=True,
    ),
    Tolerated(
        ("aws_sqs_queue",),
        "redrive_policy",
        "GetQueueAttributes returns RedrivePolicy re-serialized (json.dumps spacing), not the text sent; the same "
        "JSON value.",
        same_json=True,
    ),
    Tolerated(
        ("aws_sqs_queue_policy",),
        "policy",
        "Known after apply only because its policy document names a queue the emulator re-plans (above), never a "
        "new value.",
        unknown_only=True,
    ),
    Tolerated(
        ("aws_s3_bucket_policy",),
        "policy",
        "Known after apply only because it names the ARN of a CloudFront distribution the emulator re-plans "
        "(above), never a new value.",
        unknown_only=True,
    ),
)

ACM_ARN = re.compile(r"^arn:aws:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[0-9a-f-]+$")
"""A literal certificate ARN from the config (bring your own certificate): it exists nowhere on the emulator, so it
is replaced by a self-signed certificate imported into the emulator's ACM in the same region."""


def swapped(stack: str, document: Mapping[str, Any]) -> list[tuple[Swap, str]]:
    """(swap, resource name) of every resource of the stack the profile swaps (the first entry that applies)."""
    found: dict[tuple[str, str], Swap] = {}
    for swap in SWAPS:
        if swap.stacks and stack not in swap.stacks:
            continue
        for name, body in document.get("resource", {}).get(swap.resource_type, {}).items():
            if swap.only_if is None or swap.only_if(document, body):
                found.setdefault((swap.resource_type, name), swap)
    return [(swap, name) for (_, name), swap in found.items()]


def _replace(value: Any, pattern: re.Pattern[str], stand_ins: Mapping[str, Any], where: str) -> Any:
    """`value` with every reference matched by `pattern` replaced by its stand-in as an HCL string literal."""
    if isinstance(value, str):

        def literal(match: re.Match[str]) -> str:
            attribute = match["attribute"]
            if attribute not in stand_ins:
                raise AssertionError(f"{where} refers to {match[0]}: add a stand-in for {attribute!r} to the profile")
            return json.dumps(stand_ins[attribute])

        return pattern.sub(literal, value)
    if isinstance(value, Mapping):
        return {key: _replace(item, pattern, stand_ins, where) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, pattern, stand_ins, where) for item in value]
    return value


def literal_certificates(document: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(resource type.name, attribute) -> region of every top-level literal ACM certificate ARN."""
    found: dict[tuple[str, str], str] = {}
    for resource_type, items in document.get("resource", {}).items():
        for name, body in items.items():
            for attribute, value in body.items():
                if isinstance(value, str) and (match := ACM_ARN.match(value)):
                    found[(f"{resource_type}.{name}", attribute)] = match["region"]
    return found


def profile_override(
    stack: str, document: Mapping[str, Any], certificates: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The `resource`, `data` and `output` blocks of the stack's override: swaps, and imported certificates."""
    swaps = [
        (swap, name, re.compile(rf"\b{re.escape(swap.resource_type)}\.{re.escape(name)}\.(?P<attribute>\w+)"))
        for swap, name in swapped(stack, document)
    ]
    override: dict[str, Any] = {}

    def replaced(value: Any, where: str) -> Any:
        for swap, _, pattern in swaps:
            value = _replace(value, pattern, swap.stand_ins, where)
        return value

    for section in ("resource", "data"):
        for block_type, items in document.get(section, {}).items():
            for name, body in items.items():
                for attribute, value in body.items():
                    if attribute in ("depends_on", "//"):
                        continue
                    new = replaced(value, f"{'data.' if section == 'data' else ''}{block_type}.{name}.{attribute}")
                    if new != value:
                        override.setdefault(section, {}).setdefault(block_type, {}).setdefault(name, {})[attribute] = (
                            new
                        )
    for output, body in document.get("output", {}).items():
        new = replaced(body.get("value"), f"output.{output}")
        if new != body.get("value"):
            override.setdefault("output", {})[output] = {"value": new}
    for swap, name, _ in swaps:
        override.setdefault("resource", {}).setdefault(swap.resource_type, {}).setdefault(name, {})["count"] = 0
    for adjusted in ADJUSTMENTS:
        for name, body in document.get("resource", {}).get(adjusted.resource_type, {}).items():
            value = body.get(adjusted.attribute)
            if isinstance(value, str) and "${" not in value:
                resource = override.setdefault("resource", {}).setdefault(adjusted.resource_type, {})
                resource.setdefault(name, {})[adjusted.attribute] = adjusted.adjust(value)
    for supplied in SUPPLIED:
        for name, body in document.get("resource", {}).get(supplied.resource_type, {}).items():
            where = f"{supplied.resource_type}.{name}.{supplied.attribute}"
            current = body.get(supplied.attribute)
            if supplied.key is None:
                if current is not None:
                    raise AssertionError(f"{where} is set: drop the profile entry")
                given: Any = supplied.value
            elif current is None:
                continue  # no block: the emulator needs nothing
            elif not isinstance(current, Mapping) or supplied.key in current:
                raise AssertionError(f"{where}.{supplied.key} is set: drop the profile entry")
            else:
                given = {**current, supplied.key: supplied.value}
            resource = override.setdefault("resource", {}).setdefault(supplied.resource_type, {})
            resource.setdefault(name, {})[supplied.attribute] = given
    for (address, attribute), region in literal_certificates(document).items():
        if certificates is None or region not in certificates:
            raise AssertionError(f"{address}.{attribute}: no certificate imported into the emulator for {region}")
        resource_type, name = address.split(".", 1)
        override.setdefault("resource", {}).setdefault(resource_type, {}).setdefault(name, {})[attribute] = (
            certificates[region]
        )
    return override


def service_linked_roles(document: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(AWS service, role ARN) of each service-linked role a SUPPLIED entry names for a resource of the stack."""
    return {
        (supplied.service_linked_role, str(supplied.value))
        for supplied in SUPPLIED
        if supplied.service_linked_role and document.get("resource", {}).get(supplied.resource_type)
    }


def swapped_addresses(stack: str, document: Mapping[str, Any]) -> list[str]:
    return [f"{swap.resource_type}.{name}" for swap, name in swapped(stack, document)]


def _without(value: Any, keys: tuple[str, ...]) -> Any:
    """`value` (a list of blocks) with `keys` dropped from each block."""
    if isinstance(value, list):
        return [
            {k: v for k, v in block.items() if k not in keys} if isinstance(block, Mapping) else block
            for block in value
        ]
    return value


def _same_json(before: Any, after: Any) -> bool:
    try:
        return isinstance(before, str) and isinstance(after, str) and json.loads(before) == json.loads(after)
    except json.JSONDecodeError:
        return False


def _tolerated(
    resource_type: str, attribute: str, *, replace: bool, unknown: bool, before: Any = None, after: Any = None
) -> bool:
    return any(
        resource_type in entry.resource_types
        and entry.attribute == attribute
        and entry.replace == replace
        and (unknown or not entry.unknown_only)
        and (not entry.within or (not unknown and _without(before, entry.within) == _without(after, entry.within)))
        and (not entry.same_json or (not unknown and _same_json(before, after)))
        for entry in TOLERATED_CHANGES
    )


def untolerated(changes: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every re-plan change (from `terraform show -json`'s resource_changes) the profile does not explain."""
    problems = []
    for change in changes:
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        if actions in (["delete", "create"], ["create", "delete"]):
            paths = change["change"].get("replace_paths") or [[]]
            for path in paths:
                if not path or not _tolerated(change["type"], str(path[0]), replace=True, unknown=False):
                    problems.append(f"{change['address']}: replaced because of {path}")
            continue
        if actions != ["update"]:
            problems.append(f"{change['address']}: {'/'.join(actions)}")
            continue
        before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
        unknown = change["change"].get("after_unknown") or {}
        for attribute in sorted(set(before) | set(after)):
            is_unknown = unknown.get(attribute) is True
            if before.get(attribute) == after.get(attribute) and not is_unknown:
                continue
            if not _tolerated(
                change["type"],
                attribute,
                replace=False,
                unknown=is_unknown,
                before=before.get(attribute),
                after=after.get(attribute),
            ):
                shown = "(known after apply)" if is_unknown else repr(after.get(attribute))
                problems.append(f"{change['address']}.{attribute}: {before.get(attribute)!r} -> {shown}")
    return problems
