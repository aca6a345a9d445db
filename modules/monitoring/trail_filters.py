"""Which CloudTrail events page: the CIS AWS Foundations log metric filters, as plain data (no jsii).

Each filter matches CloudTrail records in the trail's CloudWatch log group, counts 1 per match into a metric of
the environment's own namespace, and an alarm fires on the first match in a five-minute period. The patterns are
those of the CIS AWS Foundations Benchmark (v1.4 section 4) as Security Hub checks them (controls CloudWatch.1 to
CloudWatch.14), minus CloudWatch.9 (AWS Config changes: the platform does not run AWS Config).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrailFilter:
    """One log metric filter on the trail's log group and the alarm on its metric."""

    key: str
    """Stable snake_case id: construct ids, alarm name `{name}-trail-<key>`."""
    metric: str
    """Metric name in the environment's namespace."""
    description: str
    pattern: str
    control: str
    """The Security Hub control (and CIS recommendation) it answers."""


def _any_event(*names: str) -> str:
    return " || ".join(f"($.eventName = {name})" for name in names)


TRAIL_FILTERS: tuple[TrailFilter, ...] = (
    TrailFilter(
        "root_usage",
        "RootAccountUsage",
        "The root user made a call (not a service acting for it)",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        "CloudWatch.1",
    ),
    TrailFilter(
        "unauthorized_api_calls",
        "UnauthorizedApiCalls",
        "A call was refused for lack of permission (UnauthorizedOperation or AccessDenied)",
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
        "CloudWatch.2",
    ),
    TrailFilter(
        "console_sign_in_without_mfa",
        "ConsoleSignInWithoutMfa",
        "An IAM user signed in to the console without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        "CloudWatch.3",
    ),
    TrailFilter(
        "iam_policy_changes",
        "IamPolicyChanges",
        "An IAM policy was created, changed, attached or detached",
        "{ ($.eventSource = iam.amazonaws.com) && ("
        + _any_event(
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        )
        + ") }",
        "CloudWatch.4",
    ),
    TrailFilter(
        "cloudtrail_changes",
        "CloudTrailConfigChanges",
        "A trail was created, updated, deleted, started or stopped",
        "{ " + _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging") + " }",
        "CloudWatch.5",
    ),
    TrailFilter(
        "console_sign_in_failures",
        "ConsoleSignInFailures",
        "A console sign-in failed authentication",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
        "CloudWatch.6",
    ),
    TrailFilter(
        "kms_key_disabled_or_deleted",
        "KmsKeyDisabledOrScheduledForDeletion",
        "A customer managed KMS key was disabled or scheduled for deletion",
        "{ ($.eventSource = kms.amazonaws.com) && (" + _any_event("DisableKey", "ScheduleKeyDeletion") + ") }",
        "CloudWatch.7",
    ),
    TrailFilter(
        "s3_bucket_policy_changes",
        "S3BucketPolicyChanges",
        "An S3 bucket's policy, ACL, CORS, lifecycle or replication was changed",
        "{ ($.eventSource = s3.amazonaws.com) && ("
        + _any_event(
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        )
        + ") }",
        "CloudWatch.8",
    ),
    TrailFilter(
        "security_group_changes",
        "SecurityGroupChanges",
        "A security group or one of its rules was created, changed or deleted",
        "{ "
        + _any_event(
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        )
        + " }",
        "CloudWatch.10",
    ),
    TrailFilter(
        "network_acl_changes",
        "NetworkAclChanges",
        "A network ACL or one of its entries was created, changed or deleted",
        "{ "
        + _any_event(
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        )
        + " }",
        "CloudWatch.11",
    ),
    TrailFilter(
        "network_gateway_changes",
        "NetworkGatewayChanges",
        "An internet or customer gateway was created, attached, detached or deleted",
        "{ "
        + _any_event(
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        )
        + " }",
        "CloudWatch.12",
    ),
    TrailFilter(
        "route_table_changes",
        "RouteTableChanges",
        "A route table or route was created, changed or deleted",
        "{ ($.eventSource = ec2.amazonaws.com) && ("
        + _any_event(
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        )
        + ") }",
        "CloudWatch.13",
    ),
    TrailFilter(
        "vpc_changes",
        "VpcChanges",
        "A VPC, its peering or ClassicLink was created, changed or deleted",
        "{ "
        + _any_event(
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        )
        + " }",
        "CloudWatch.14",
    ),
)


def trail_metric_namespace(name: str) -> str:
    """The environment's own namespace for the trail metrics: environments sharing an account never mix counts."""
    return f"{name}/CloudTrail"
