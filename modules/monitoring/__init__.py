"""Alarm notifications and CloudWatch views: an encrypted SNS topic, metric alarms, and a dashboard."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from cdktf_cdktf_provider_aws.cloudwatch_dashboard import CloudwatchDashboard
from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import (
    CloudwatchLogMetricFilter,
    CloudwatchLogMetricFilterMetricTransformation,
)
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from modules.kms import EncryptionKey
from modules.monitoring.alarms import AlarmSpec, MonitoredResources, TargetGroupMetrics, alarm_specs
from modules.monitoring.dashboard import dashboard_body
from modules.monitoring.trail_filters import TRAIL_FILTERS, TrailFilter, trail_metric_namespace

__all__ = [
    "TRAIL_FILTERS",
    "AlarmSpec",
    "AlarmTopic",
    "Alarms",
    "Dashboard",
    "MonitoredResources",
    "TargetGroupMetrics",
    "TrailAlarms",
    "TrailFilter",
    "alarm_specs",
]


def _cloudwatch_alarms(
    partition: str, region: str, account_id: str, alarm_prefix: str
) -> tuple[list[DataAwsIamPolicyDocumentStatementPrincipals], list[DataAwsIamPolicyDocumentStatementCondition]]:
    """The CloudWatch service principal, acting only for this account's alarms named `{alarm_prefix}*`."""
    principals = [DataAwsIamPolicyDocumentStatementPrincipals(type="Service", identifiers=["cloudwatch.amazonaws.com"])]
    conditions = [
        DataAwsIamPolicyDocumentStatementCondition(
            test="StringEquals", variable="aws:SourceAccount", values=[account_id]
        ),
        DataAwsIamPolicyDocumentStatementCondition(
            test="ArnLike",
            variable="aws:SourceArn",
            values=[f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:{alarm_prefix}*"],
        ),
    ]
    return principals, conditions


class AlarmTopic(Construct):
    """The SNS topic alarms notify, encrypted with its own CMK, with email subscriptions.

    The topic has its own key rather than the environment's: CloudWatch must be allowed to use the key of a topic
    it publishes to (kms:GenerateDataKey*, kms:Decrypt), and that grant belongs on a key that protects alarm
    notifications only, not on the key of the database, secrets and logs. Both the key grant and the topic policy
    admit CloudWatch only for alarms of this account named `{alarm_prefix}*` (aws:SourceAccount, aws:SourceArn).
    The topic policy also refuses publishing without TLS.

    Email subscriptions stay "pending confirmation" until the recipient clicks the link AWS mails; Terraform
    cannot confirm them, and removing an unconfirmed one from config leaves nothing behind (AWS expires it).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        alarm_prefix: str,
        emails: Sequence[str],
        account_id: str,
        partition: str,
        region: str,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        principals, conditions = _cloudwatch_alarms(partition, region, account_id, alarm_prefix)
        key = EncryptionKey(
            self,
            "kms",
            alias=f"{name}-alarms",
            description=f"{name} alarm notifications",
            account_id=account_id,
            partition=partition,
            region=region,
            tags=tags,
            service_statements=[
                DataAwsIamPolicyDocumentStatement(
                    sid="CloudWatchAlarmsPublish",
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    resources=["*"],  # in a key policy, "*" is this key
                    principals=principals,
                    condition=conditions,
                )
            ],
        )
        topic = SnsTopic(self, "topic", name=f"{name}-alarms", kms_master_key_id=key.key_arn, tags=dict(tags or {}))
        policy = DataAwsIamPolicyDocument(
            self,
            "policy_document",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="CloudWatchAlarmsPublish",
                    actions=["sns:Publish"],
                    resources=[topic.arn],
                    principals=principals,
                    condition=conditions,
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="DenyInsecureTransport",
                    effect="Deny",
                    actions=["sns:Publish"],
                    resources=[topic.arn],
                    principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="*", identifiers=["*"])],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="Bool", variable="aws:SecureTransport", values=["false"]
                        )
                    ],
                ),
            ],
        )
        SnsTopicPolicy(self, "policy", arn=topic.arn, policy=policy.json)
        for index, email in enumerate(emails):
            SnsTopicSubscription(self, f"email_{index}", topic_arn=topic.arn, protocol="email", endpoint=email)
        self.topic_arn: str = topic.arn
        self.kms_key_arn: str = key.key_arn


class Alarms(Construct):
    """One CloudWatch metric alarm per spec, named `{name}-<key>`, notifying `topic_arn` on ALARM and on OK."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        specs: Sequence[AlarmSpec],
        topic_arn: str,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.alarm_names: dict[str, str] = {}
        for spec in specs:
            alarm = CloudwatchMetricAlarm(
                self,
                spec.key,
                alarm_name=f"{name}-{spec.key.replace('_', '-')}",
                alarm_description=spec.description,
                namespace=spec.namespace,
                metric_name=spec.metric,
                statistic=spec.statistic,
                dimensions=dict(spec.dimensions),
                comparison_operator=spec.comparison,
                threshold=spec.threshold,
                period=spec.period,
                evaluation_periods=spec.evaluation_periods,
                treat_missing_data=spec.missing_data,
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                tags=dict(tags or {}),
            )
            self.alarm_names[spec.key] = alarm.alarm_name


class TrailAlarms(Construct):
    """Per CIS filter, a log metric filter on the trail's log group and an alarm `{name}-trail-<key>` on its metric.

    Every match counts 1 in the namespace `{name}/CloudTrail`; the alarm fires on the first match in five minutes
    and notifies `topic_arn`. No match publishes no datapoint, which is healthy (notBreaching), so an OK
    notification follows each alarm once a quiet period passes. The filters are this construct's own resources on
    the audit layer's log group: the trail and its log group are left as the audit layer made them.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        log_group_name: str,
        topic_arn: str,
        filters: Sequence[TrailFilter] = TRAIL_FILTERS,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        namespace = trail_metric_namespace(name)
        self.alarm_names: dict[str, str] = {}
        for spec in filters:
            metric_filter = CloudwatchLogMetricFilter(
                self,
                f"{spec.key}_filter",
                name=f"{name}-{spec.key.replace('_', '-')}",
                log_group_name=log_group_name,
                pattern=spec.pattern,
                metric_transformation=CloudwatchLogMetricFilterMetricTransformation(
                    name=spec.metric, namespace=namespace, value="1", unit="Count"
                ),
            )
            alarm = CloudwatchMetricAlarm(
                self,
                spec.key,
                alarm_name=f"{name}-trail-{spec.key.replace('_', '-')}",
                alarm_description=f"{spec.description} ({spec.control}, CloudTrail)",
                namespace=namespace,
                metric_name=metric_filter.metric_transformation.name,
                statistic="Sum",
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=1,
                period=300,
                evaluation_periods=1,
                treat_missing_data="notBreaching",
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                tags=dict(tags or {}),
            )
            self.alarm_names[spec.key] = alarm.alarm_name


class Dashboard(Construct):
    """One CloudWatch dashboard `{name}` charting the given resources."""

    def __init__(self, scope: Construct, id_: str, *, name: str, resources: MonitoredResources, region: str) -> None:
        super().__init__(scope, id_)
        dashboard = CloudwatchDashboard(
            self,
            "dashboard",
            dashboard_name=name,
            dashboard_body=json.dumps(dashboard_body(resources, region), sort_keys=True),
        )
        self.dashboard_name: str = dashboard.dashboard_name
