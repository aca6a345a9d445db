"""Per-service IAM roles: the execution role ECS uses to start the task, and the task role the app runs as."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
)
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from config.services import ServiceConfig
from modules.iam import PolicyGrant, secret_read_statements, service_trust_policy

ECR_PULL = ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")
EXEC_CHANNELS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
"""What the SSM agent inside a task needs for ECS Exec; these actions support no resource scoping."""


class ServiceRoles(Construct):
    """The two roles of one ECS service, each granted only what that service uses.

    Execution role (assumed by ECS to start tasks): pull from the service's ECR repository, write to its log
    group, read exactly the given secrets and parameters and decrypt them with the CMK through Secrets
    Manager / SSM only. Task role (the application's identity): PutMetricData into the namespace of the
    service's custom scaling metric (when it scales on one), and the ECS Exec channels (plus the exec log group)
    when `service.exec` is on, and the `task_grants` planned for the buckets and queues it names; nothing else.
    `repository_arn` defaults to the repository `{name}-{service_name}` in this account and region.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        service_name: str,
        service: ServiceConfig,
        log_group_arn: str,
        secret_arns: Sequence[str],
        parameter_arns: Sequence[str],
        kms_key_arn: str,
        repository_arn: str | None = None,
        exec_log_group_arn: str | None = None,
        task_grants: Sequence[PolicyGrant] = (),
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        identity = DataAwsCallerIdentity(self, "caller")
        partition = DataAwsPartition(self, "partition")
        region = DataAwsRegion(self, "region")
        account, arn_partition, region_name = identity.account_id, partition.partition, region.name
        if repository_arn is None:
            repository_arn = f"arn:{arn_partition}:ecr:{region_name}:{account}:repository/{name}-{service_name}"

        # Confused-deputy guard: only ECS acting for this account may assume the roles.
        assume_policy = service_trust_policy(
            self,
            "assume",
            service="ecs-tasks.amazonaws.com",
            account_id=account,
            source_arn=f"arn:{arn_partition}:ecs:{region_name}:{account}:*",
        )

        execution = IamRole(
            self,
            "execution",
            name=f"{name}-{service_name}-execution",
            description=f"ECS starts {service_name} tasks with this role: image pull, logs, secrets",
            assume_role_policy=assume_policy,
            tags=tags,
        )
        execution_statements = [
            DataAwsIamPolicyDocumentStatement(
                sid="EcrAuthorization", actions=["ecr:GetAuthorizationToken"], resources=["*"]
            ),
            DataAwsIamPolicyDocumentStatement(sid="PullImage", actions=list(ECR_PULL), resources=[repository_arn]),
            DataAwsIamPolicyDocumentStatement(
                sid="WriteLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group_arn, f"{log_group_arn}:*"],
            ),
        ]
        execution_statements += secret_read_statements(
            secret_arns=secret_arns, parameter_arns=parameter_arns, kms_key_arn=kms_key_arn, region=region_name
        )
        execution_policy = DataAwsIamPolicyDocument(self, "execution_permissions", statement=execution_statements)
        IamRolePolicy(self, "execution_policy", name="start-task", role=execution.id, policy=execution_policy.json)

        task = IamRole(
            self,
            "task",
            name=f"{name}-{service_name}-task",
            description=f"The {service_name} application runs as this role",
            assume_role_policy=assume_policy,
            tags=tags,
        )
        task_statements: list[DataAwsIamPolicyDocumentStatement] = []
        metric = service.autoscaling.custom_metric if service.autoscaling is not None else None
        if metric is not None:
            # The app publishes the metric its service scales on; PutMetricData has no resource to scope, the
            # namespace condition keeps the role from writing (or polluting) any other metric.
            task_statements.append(
                DataAwsIamPolicyDocumentStatement(
                    sid="PublishScalingMetric",
                    actions=["cloudwatch:PutMetricData"],
                    resources=["*"],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="StringEquals", variable="cloudwatch:namespace", values=[metric.namespace]
                        )
                    ],
                )
            )
        if service.exec:
            task_statements += [
                DataAwsIamPolicyDocumentStatement(sid="ExecChannels", actions=list(EXEC_CHANNELS), resources=["*"]),
                # ECS Exec sessions are encrypted with the cluster's key when one is configured.
                DataAwsIamPolicyDocumentStatement(
                    sid="ExecSessionKey", actions=["kms:Decrypt"], resources=[kms_key_arn]
                ),
            ]
            if exec_log_group_arn is not None:
                task_statements += [
                    DataAwsIamPolicyDocumentStatement(
                        sid="ExecFindLogGroup", actions=["logs:DescribeLogGroups"], resources=["*"]
                    ),
                    DataAwsIamPolicyDocumentStatement(
                        sid="ExecWriteLogs",
                        actions=["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                        resources=[exec_log_group_arn, f"{exec_log_group_arn}:*"],
                    ),
                ]
        task_statements += [grant.statement() for grant in task_grants]
        if task_statements:
            task_policy = DataAwsIamPolicyDocument(self, "task_permissions", statement=task_statements)
            IamRolePolicy(self, "task_policy", name="application", role=task.id, policy=task_policy.json)

        self.execution_role_arn = execution.arn
        self.execution_role_name = execution.name
        self.task_role_arn = task.arn
        self.task_role_name = task.name
