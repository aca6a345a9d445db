"""Internet-facing ALB: HTTP->HTTPS redirect, HTTPS listener with path/host rules, target groups, access logs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cdktf import ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.lb import Lb, LbAccessLogs
from cdktf_cdktf_provider_aws.lb_listener import (
    LbListener,
    LbListenerDefaultAction,
    LbListenerDefaultActionFixedResponse,
    LbListenerDefaultActionRedirect,
)
from cdktf_cdktf_provider_aws.lb_listener_certificate import LbListenerCertificate
from cdktf_cdktf_provider_aws.lb_listener_rule import (
    LbListenerRule,
    LbListenerRuleAction,
    LbListenerRuleCondition,
    LbListenerRuleConditionHostHeader,
    LbListenerRuleConditionHttpHeader,
    LbListenerRuleConditionPathPattern,
)
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup
from constructs import Construct

from config.load_balancer import DEFAULT_IDLE_TIMEOUT, WEBSOCKET_IDLE_TIMEOUT, LoadBalancerConfig
from config.routing import ListenerRule as ListenerRule
from config.routing import RoutingConflictError as RoutingConflictError
from config.routing import default_service as default_service
from config.routing import listener_rules as listener_rules
from config.routing import routed_services as routed_services
from config.routing import rule_priorities as rule_priorities
from config.services import ServiceConfig
from modules.load_balancer.access_logs import access_logs_bucket
from modules.load_balancer.names import AWS_NAME_LIMIT as AWS_NAME_LIMIT
from modules.load_balancer.names import aws_name as aws_name
from modules.load_balancer.names import target_group_name
from modules.load_balancer.targets import ServiceTargets as ServiceTargets
from modules.load_balancer.targets import target_group

NOT_FOUND_BODY = "Not Found"
FORBIDDEN_BODY = "Forbidden"

DEFAULT_RULE_PRIORITY = 50000
"""With a required origin header the default service is reached through a rule: the last priority ALB allows."""


class LoadBalancer(Construct):
    """One internet-facing ALB in the public subnets with its listeners, rules, target groups and access logs.

    Port 80 only redirects (301) to HTTPS. Port 443 terminates TLS with the configured policy and certificate and
    routes by `listener_rules` to one target group per enabled web service (IP targets, as Fargate awsvpc tasks
    register by IP); unmatched requests go to the service with `routing.default = true`, or get a fixed 404.
    Blue/green services get a second ("green") target group, and the ALB gets a test listener on
    `test_listener_port` whose rules forward to the green groups; CodeDeploy (built by the compute module from
    `https_listener_arn`, `test_listener_arn` and both group names) swaps the groups, so Terraform ignores the
    forward targets of those rules and listeners after creation.

    With `origin_header` (name, value), CloudFront's secret header: every rule also requires it, the default
    service is reached through a header-only rule at priority 50000, and anything else gets a fixed 403; the
    blue/green test listener (reachable from the VPC only) does not require it.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        config: LoadBalancerConfig,
        services: Mapping[str, ServiceConfig],
        vpc_id: str,
        public_subnet_ids: Sequence[str],
        security_group_id: str,
        certificate_arn: str | None = None,
        origin_header: tuple[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        routed = routed_services(services)
        rules = listener_rules(routed)
        default = default_service(routed)
        blue_green = {svc for svc, service in routed.items() if service.deployment.strategy == "blue_green"}
        # The environment's DNS-validated certificate ([domain]) wins; otherwise the one the user brings.
        certificate = certificate_arn if certificate_arn is not None else config.certificate_arn
        if certificate is None:
            raise ValueError("the HTTPS listener needs a certificate: pass certificate_arn or set it in the config")
        self._origin_header = origin_header
        test_rules = rules
        test_default = default if default in blue_green else None
        if origin_header is not None and default is not None:
            # Listener default actions take no conditions: the default service becomes the last rule, and a
            # request without the header falls through to the listener's 403. The test listener (VPC only) keeps
            # its plain default.
            rules = (*rules, ListenerRule(default, len(rules), (), (), DEFAULT_RULE_PRIORITY))
            default = None
        self.listener_rules = rules

        access_logs = None
        self.access_logs_bucket_name: str | None = None
        log_dependencies = []
        if config.access_logs.enabled:
            bucket_name, bucket_policy = access_logs_bucket(self, name, config, tags)
            self.access_logs_bucket_name = bucket_name
            access_logs = LbAccessLogs(bucket=bucket_name, prefix=config.access_logs.prefix, enabled=True)
            # ELB test-writes to the bucket when logging is switched on: the policy must exist first.
            log_dependencies.append(bucket_policy)

        idle_timeout = config.idle_timeout
        if idle_timeout is None:
            websocket = any(service.protocol == "websocket" for service in routed.values())
            idle_timeout = WEBSOCKET_IDLE_TIMEOUT if websocket else DEFAULT_IDLE_TIMEOUT
        alb_name = aws_name(name, "alb")
        alb = Lb(
            self,
            "alb",
            name=alb_name,
            internal=False,
            load_balancer_type="application",
            ip_address_type="ipv4",
            subnets=list(public_subnet_ids),
            security_groups=[security_group_id],
            idle_timeout=idle_timeout,
            enable_deletion_protection=config.deletion_protection,
            drop_invalid_header_fields=config.drop_invalid_header_fields,
            enable_http2=config.http2,
            desync_mitigation_mode=config.desync_mitigation_mode,
            access_logs=access_logs,
            depends_on=log_dependencies or None,
            tags={"Name": alb_name, **tags},
        )
        self.alb_arn = alb.arn
        self.alb_arn_suffix = alb.arn_suffix
        self.alb_dns_name = alb.dns_name
        self.alb_zone_id = alb.zone_id
        self.idle_timeout = idle_timeout

        self.target_groups: dict[str, ServiceTargets] = {}
        self._groups: dict[str, list[LbTargetGroup]] = {}
        for svc, service in routed.items():
            primary = target_group(
                self,
                f"{svc}_tg",
                tg_name=target_group_name(name, svc, service),
                vpc_id=vpc_id,
                svc=svc,
                service=service,
                tags=tags,
            )
            secondary = None
            if svc in blue_green:
                secondary = target_group(
                    self,
                    f"{svc}_green_tg",
                    tg_name=target_group_name(name, svc, service, green=True),
                    vpc_id=vpc_id,
                    svc=svc,
                    service=service,
                    tags=tags,
                )
            assert service.port is not None, "ServiceConfig guarantees a port for web services"
            self._groups[svc] = [primary, *([secondary] if secondary else [])]
            self.target_groups[svc] = ServiceTargets(
                primary_arn=primary.arn,
                primary_name=primary.name,
                primary_arn_suffix=primary.arn_suffix,
                container_port=service.port,
                secondary_arn=secondary.arn if secondary else None,
                secondary_name=secondary.name if secondary else None,
                secondary_arn_suffix=secondary.arn_suffix if secondary else None,
            )

        http = LbListener(
            self,
            "http",
            load_balancer_arn=alb.arn,
            port=80,
            protocol="HTTP",
            default_action=[
                LbListenerDefaultAction(
                    type="redirect",
                    redirect=LbListenerDefaultActionRedirect(port="443", protocol="HTTPS", status_code="HTTP_301"),
                )
            ],
            tags={"Name": f"{alb_name}-http", **tags},
        )
        self.http_listener_arn = http.arn

        https = self._https_listener(
            "https",
            alb_name=alb_name,
            alb_arn=alb.arn,
            port=443,
            config=config,
            certificate_arn=certificate,
            default_action=self._default_action(default, secondary=False),
            swapped=default in blue_green,
            tags=tags,
        )
        self.https_listener_arn = https.arn
        self.attachments: dict[str, list[ITerraformDependable]] = {}
        """Per service, what attaches its target group to a listener; its ECS service must wait for these."""
        if default is not None:
            self.attachments[default] = [https]
        for rule in rules:
            self._rule(
                f"{rule.service}_rule_{rule.index}",
                https.arn,
                rule,
                secondary=False,
                swapped=rule.service in blue_green,
                tags=tags,
            )

        self.test_listener_arn: str | None = None
        if blue_green:
            test = self._https_listener(
                "test",
                alb_name=alb_name,
                alb_arn=alb.arn,
                port=config.test_listener_port,
                config=config,
                certificate_arn=certificate,
                default_action=self._default_action(test_default, secondary=True),
                swapped=test_default is not None,
                tags=tags,
            )
            self.test_listener_arn = test.arn
            for rule in test_rules:
                if rule.service in blue_green:
                    self._rule(
                        f"{rule.service}_test_rule_{rule.index}",
                        test.arn,
                        rule,
                        secondary=True,
                        swapped=True,
                        tags=tags,
                    )

    def _default_action(self, service: str | None, *, secondary: bool) -> LbListenerDefaultAction:
        if service is None and self._origin_header is not None and not secondary:
            return LbListenerDefaultAction(
                type="fixed-response",
                fixed_response=LbListenerDefaultActionFixedResponse(
                    content_type="text/plain", message_body=FORBIDDEN_BODY, status_code="403"
                ),
            )
        if service is None:
            return LbListenerDefaultAction(
                type="fixed-response",
                fixed_response=LbListenerDefaultActionFixedResponse(
                    content_type="text/plain", message_body=NOT_FOUND_BODY, status_code="404"
                ),
            )
        targets = self.target_groups[service]
        return LbListenerDefaultAction(
            type="forward", target_group_arn=targets.secondary_arn if secondary else targets.primary_arn
        )

    def _https_listener(
        self,
        id_: str,
        *,
        alb_name: str,
        alb_arn: str,
        port: int,
        config: LoadBalancerConfig,
        certificate_arn: str,
        default_action: LbListenerDefaultAction,
        swapped: bool,
        tags: dict[str, str],
    ) -> LbListener:
        listener = LbListener(
            self,
            id_,
            load_balancer_arn=alb_arn,
            port=port,
            protocol="HTTPS",
            ssl_policy=config.ssl_policy,
            certificate_arn=certificate_arn,
            default_action=[default_action],
            # CodeDeploy repoints a blue/green default action at whichever group is live; do not point it back.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["default_action"]) if swapped else None,
            tags={"Name": f"{alb_name}-{id_}", **tags},
        )
        for index, extra in enumerate(config.additional_certificate_arns):
            LbListenerCertificate(self, f"{id_}_certificate_{index}", listener_arn=listener.arn, certificate_arn=extra)
        return listener

    def _rule(
        self,
        id_: str,
        listener_arn: str,
        rule: ListenerRule,
        *,
        secondary: bool,
        swapped: bool,
        tags: dict[str, str],
    ) -> None:
        targets = self.target_groups[rule.service]
        conditions = []
        if rule.host_headers:
            conditions.append(
                LbListenerRuleCondition(host_header=LbListenerRuleConditionHostHeader(values=list(rule.host_headers)))
            )
        if rule.path_patterns:
            conditions.append(
                LbListenerRuleCondition(
                    path_pattern=LbListenerRuleConditionPathPattern(values=list(rule.path_patterns))
                )
            )
        if self._origin_header is not None and not secondary:
            header, value = self._origin_header
            conditions.append(
                LbListenerRuleCondition(
                    http_header=LbListenerRuleConditionHttpHeader(http_header_name=header, values=[value])
                )
            )
        listener_rule = LbListenerRule(
            self,
            id_,
            listener_arn=listener_arn,
            priority=rule.priority,
            condition=conditions,
            action=[
                LbListenerRuleAction(
                    type="forward", target_group_arn=targets.secondary_arn if secondary else targets.primary_arn
                )
            ],
            # CodeDeploy repoints blue/green rules at whichever group is live; Terraform must not point them back.
            # Ignoring the action would also keep a replaced group in use, so a replaced group replaces the rule.
            lifecycle=(
                TerraformResourceLifecycle(
                    ignore_changes=["action"],
                    # plain addresses: lifecycle takes references, not "${...}" interpolations
                    replace_triggered_by=[
                        f"{group.terraform_resource_type}.{group.friendly_unique_id}"
                        for group in self._groups[rule.service]
                    ],
                )
                if swapped
                else None
            ),
            tags={"Service": rule.service, **tags},
        )
        self.attachments.setdefault(rule.service, []).append(listener_rule)
