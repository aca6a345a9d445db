"""One Lambda function with its own role, log group and first deploy package."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.lambda_function import (
    LambdaFunction,
    LambdaFunctionEnvironment,
    LambdaFunctionVpcConfig,
)
from cdktf_cdktf_provider_aws.s3_object import S3Object
from constructs import Construct

from config.api import FunctionConfig
from config.names import function_name
from modules.api.package import bootstrap_package_base64
from modules.iam import PolicyGrant, service_trust_policy

CODE_ATTRIBUTES = ("s3_bucket", "s3_key", "s3_object_version", "source_code_hash")
"""What the function ignores after creation: CI owns the code (`aws lambda update-function-code`)."""

ENI_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
"""What Lambda needs to attach a function to the VPC (AWSLambdaVPCAccessExecutionRole, without its logs:* on *).
EC2 does not scope these to resources, hence `*`."""


@dataclass(frozen=True)
class FunctionAccess:
    """What a function uses beyond its log group: the grants for the buckets and queues it names, and the
    variables carrying their names and URLs (stacks/layers/access.py plans both)."""

    grants: Sequence[PolicyGrant] = ()
    environment: Mapping[str, str] = field(default_factory=dict)


class Function(Construct):
    """A Lambda function whose role may write its own log group, use exactly the buckets and queues it names
    (`access`), and nothing else (plus ENIs when in the VPC).

    The log group `/aws/lambda/<name>` (retention, the CMK) exists before the function, so Lambda never creates
    an unencrypted, never-expiring one. The code comes from `bootstrap/<key>.zip` in the artifacts bucket, a
    503 handler Terraform uploads; CI deploys the real code with `update-function-code`, and the function ignores
    code attributes, so a later apply leaves CI's code in place.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        prefix: str,
        key: str,
        config: FunctionConfig,
        account_id: str,
        kms_key_arn: str,
        artifacts_bucket: str,
        subnet_ids: Sequence[str],
        security_group_id: str | None,
        tags: Mapping[str, str],
        access: FunctionAccess | None = None,
    ) -> None:
        super().__init__(scope, id_)
        access = access or FunctionAccess()
        name = function_name(prefix, key)
        if config.vpc and (security_group_id is None or not subnet_ids):
            raise ValueError(f"function {key} runs in the VPC and needs subnets and its security group")
        log_group = CloudwatchLogGroup(
            self,
            "logs",
            name=f"/aws/lambda/{name}",
            retention_in_days=config.log_retention_days,
            kms_key_id=kms_key_arn,
            tags={"Name": name, **tags},
        )
        role = IamRole(
            self,
            "role",
            name=name,
            description=f"Execution role of Lambda function {name}: its log group"
            + (" and the buckets and queues it names" if access.grants else " only"),
            assume_role_policy=service_trust_policy(
                self, "trust", service="lambda.amazonaws.com", account_id=account_id
            ),
            tags={"Name": name, **tags},
        )
        statements = [
            DataAwsIamPolicyDocumentStatement(
                sid="OwnLogGroup",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[f"{log_group.arn}:*"],
            )
        ]
        if config.vpc:
            statements.append(
                DataAwsIamPolicyDocumentStatement(
                    sid="VpcNetworkInterfaces", actions=list(ENI_ACTIONS), resources=["*"]
                )
            )
        statements += [grant.statement() for grant in access.grants]
        variables = {**config.environment, **access.environment}
        policy = IamRolePolicy(
            self,
            "policy",
            name="execution",
            role=role.id,
            policy=DataAwsIamPolicyDocument(self, "permissions", statement=statements).json,
        )
        package = S3Object(
            self,
            "package",
            bucket=artifacts_bucket,
            key=f"bootstrap/{key}.zip",
            content_base64=bootstrap_package_base64(runtime=config.runtime, handler=config.handler, function=name),
            content_type="application/zip",
            tags={"Name": f"{name}-bootstrap", **tags},
        )
        function = LambdaFunction(
            self,
            "function",
            function_name=name,
            role=role.arn,
            runtime=config.runtime,
            handler=config.handler,
            architectures=[config.architecture],
            memory_size=config.memory,
            timeout=config.timeout,
            s3_bucket=package.bucket,
            s3_key=package.key,
            environment=LambdaFunctionEnvironment(variables=variables) if variables else None,
            kms_key_arn=kms_key_arn if variables else None,
            reserved_concurrent_executions=config.reserved_concurrency,
            vpc_config=LambdaFunctionVpcConfig(subnet_ids=list(subnet_ids), security_group_ids=[security_group_id])
            if config.vpc and security_group_id is not None
            else None,
            tags={"Name": name, **tags},
            # the role's permissions (ENIs) and the log group must exist before the first invocation
            depends_on=[policy, log_group],
            lifecycle=TerraformResourceLifecycle(ignore_changes=list(CODE_ATTRIBUTES)),
        )
        self.function_name = function.function_name
        self.function_arn = function.arn
        self.invoke_arn = function.invoke_arn
        self.role_arn = role.arn
        self.log_group_name = log_group.name
