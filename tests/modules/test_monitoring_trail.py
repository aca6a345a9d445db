"""TrailAlarms and the CIS filters: one metric filter on the trail's log group and one alarm per filter."""

from __future__ import annotations

import pytest
from cdktf import TerraformStack, Testing

from modules.monitoring import TRAIL_FILTERS, TrailAlarms
from modules.monitoring.trail_filters import trail_metric_namespace
from tests.conftest import Json, resources, synth_json

TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:acme-prod-alarms"

REQUIRED = {
    "root_usage": "CloudWatch.1",
    "unauthorized_api_calls": "CloudWatch.2",
    "console_sign_in_without_mfa": "CloudWatch.3",
    "iam_policy_changes": "CloudWatch.4",
    "cloudtrail_changes": "CloudWatch.5",
    "security_group_changes": "CloudWatch.10",
    "kms_key_disabled_or_deleted": "CloudWatch.7",
}


@pytest.fixture(scope="module")
def document() -> Json:
    stack = TerraformStack(Testing.app(), "test")
    TrailAlarms(stack, "trail", name="acme-prod", log_group_name="/aws/cloudtrail/acme-prod", topic_arn=TOPIC)
    return synth_json(stack)


def test_the_required_cis_checks_are_there() -> None:
    controls = {spec.key: spec.control for spec in TRAIL_FILTERS}
    assert REQUIRED.items() <= controls.items()
    assert len(set(controls)) == len(TRAIL_FILTERS) and len(set(controls.values())) == len(TRAIL_FILTERS)
    assert "CloudWatch.9" not in controls.values()  # AWS Config changes: no AWS Config in the platform


def test_patterns_are_balanced_and_within_the_cloudwatch_limit() -> None:
    for spec in TRAIL_FILTERS:
        assert len(spec.pattern) <= 1024, spec.key
        assert spec.pattern.startswith("{") and spec.pattern.endswith("}")
        assert spec.pattern.count("(") == spec.pattern.count(")"), spec.key
        assert spec.pattern.count('"') % 2 == 0, spec.key


def test_root_usage_pattern_is_the_cis_one() -> None:
    (root,) = [spec for spec in TRAIL_FILTERS if spec.key == "root_usage"]
    assert root.pattern == (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
    )


def test_one_filter_on_the_trail_log_group_per_check(document: Json) -> None:
    filters = {value["name"]: value for value in resources(document, "aws_cloudwatch_log_metric_filter").values()}
    assert set(filters) == {f"acme-prod-{spec.key.replace('_', '-')}" for spec in TRAIL_FILTERS}
    by_metric = {value["metric_transformation"]["name"]: value for value in filters.values()}
    for spec in TRAIL_FILTERS:
        found = by_metric[spec.metric]
        assert found["log_group_name"] == "/aws/cloudtrail/acme-prod"
        assert found["pattern"] == spec.pattern
        assert found["metric_transformation"] == {
            "name": spec.metric,
            "namespace": "acme-prod/CloudTrail",
            "value": "1",
            "unit": "Count",
        }


def test_each_alarm_reads_its_filters_metric_and_notifies_the_topic(document: Json) -> None:
    filter_ids = {
        value["metric_transformation"]["name"]: key
        for key, value in resources(document, "aws_cloudwatch_log_metric_filter").items()
    }
    alarms = {value["alarm_name"]: value for value in resources(document, "aws_cloudwatch_metric_alarm").values()}
    assert set(alarms) == {f"acme-prod-trail-{spec.key.replace('_', '-')}" for spec in TRAIL_FILTERS}
    for spec in TRAIL_FILTERS:
        alarm = alarms[f"acme-prod-trail-{spec.key.replace('_', '-')}"]
        # the metric name is read from the filter, so the alarm is created after the filter that feeds it
        assert alarm["metric_name"] == (
            f"${{aws_cloudwatch_log_metric_filter.{filter_ids[spec.metric]}.metric_transformation[0].name}}"
        )
        assert alarm["namespace"] == trail_metric_namespace("acme-prod")
        assert (alarm["statistic"], alarm["comparison_operator"], alarm["threshold"]) == (
            "Sum",
            "GreaterThanOrEqualToThreshold",
            1,
        )
        assert (alarm["period"], alarm["evaluation_periods"], alarm["treat_missing_data"]) == (300, 1, "notBreaching")
        assert alarm["alarm_actions"] == [TOPIC] and alarm["ok_actions"] == [TOPIC]
        assert spec.control in alarm["alarm_description"]
