"""The serverless API (seed 000): an API Gateway HTTP API whose routes invoke Lambda functions."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.apigatewayv2_api import Apigatewayv2Api, Apigatewayv2ApiCorsConfiguration
from cdktf_cdktf_provider_aws.apigatewayv2_authorizer import (
    Apigatewayv2Authorizer,
    Apigatewayv2AuthorizerJwtConfiguration,
)
from cdktf_cdktf_provider_aws.apigatewayv2_integration import Apigatewayv2Integration
from cdktf_cdktf_provider_aws.apigatewayv2_route import Apigatewayv2Route
from cdktf_cdktf_provider_aws.apigatewayv2_stage import (
    Apigatewayv2Stage,
    Apigatewayv2StageAccessLogSettings,
    Apigatewayv2StageDefaultRouteSettings,
)
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from constructs import Construct

from config.api import ApiConfig, route_id
from config.names import lambda_code_bucket_name
from modules.api.functions import Function, FunctionAccess
from modules.bucket import PrivateBucket

ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "integrationLatency": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
        "authorizerError": "$context.authorizer.error",
    },
    separators=(",", ":"),
)
"""One JSON line per request in the stage's access log (no headers, no tokens)."""

HTTP_API_TIMEOUT_MS = 30_000
"""The longest an HTTP API waits for an integration."""


@dataclass(frozen=True)
class JwtIssuer:
    """Whose tokens the JWT authorizer accepts: the Cognito pool's issuer URL and the app client id (audience)."""

    issuer: str
    audience: str


class ServerlessApi(Construct):
    """An HTTP API, its Lambda functions and the bucket their code lives in.

    Every route of `config.routes` invokes its function through a Lambda proxy integration (payload 2.0);
    `jwt` routes require a token of the Cognito client (`issuer`). The `$default` stage deploys automatically,
    throttles (rate and burst from the config) and writes a JSON access log to a log group encrypted with the CMK.
    Functions in the VPC run in `subnet_ids` with their own security group (from the security layer); `access`
    holds per function key the grants and variables of the buckets and queues it names.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        config: ApiConfig,
        account_id: str,
        kms_key_arn: str,
        subnet_ids: Sequence[str],
        function_security_group_ids: Mapping[str, str],
        issuer: JwtIssuer | None,
        protected: bool,
        access: Mapping[str, FunctionAccess] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        artifacts = PrivateBucket(
            self,
            "artifacts",
            bucket_name=lambda_code_bucket_name(name, account_id),
            kms_key_arn=kms_key_arn,
            # CI's packages are rebuilt from git at any time; only a protected environment keeps them on destroy
            force_destroy=not protected,
            lifecycle_rules=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-old-packages",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=30)
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
            tags={"Name": f"{name}-lambda-code", **tags},
        )
        self.artifacts_bucket_name = artifacts.bucket_name

        self.functions: dict[str, Function] = {}
        for key, function_config in sorted(config.functions.items()):
            self.functions[key] = Function(
                self,
                f"fn_{key.replace('-', '_')}",
                prefix=name,
                key=key,
                config=function_config,
                account_id=account_id,
                kms_key_arn=kms_key_arn,
                artifacts_bucket=artifacts.bucket_id,
                subnet_ids=subnet_ids,
                security_group_id=function_security_group_ids.get(key),
                tags=tags,
                access=(access or {}).get(key),
            )

        api = Apigatewayv2Api(
            self,
            "api",
            name=f"{name}-api",
            protocol_type="HTTP",
            description=f"HTTP API of {name}",
            cors_configuration=Apigatewayv2ApiCorsConfiguration(
                allow_origins=list(config.cors_allow_origins),
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                allow_headers=["authorization", "content-type"],
                max_age=3600,
            )
            if config.cors_allow_origins
            else None,
            tags={"Name": f"{name}-api", **tags},
        )
        authorizer = None
        if issuer is not None:
            authorizer = Apigatewayv2Authorizer(
                self,
                "authorizer",
                api_id=api.id,
                name="cognito",
                authorizer_type="JWT",
                identity_sources=["$request.header.Authorization"],
                jwt_configuration=Apigatewayv2AuthorizerJwtConfiguration(
                    issuer=issuer.issuer, audience=[issuer.audience]
                ),
            )

        integrations: dict[str, str] = {}
        for key in sorted({route.function for route in config.routes.values()}):
            function = self.functions[key]
            ident = key.replace("-", "_")
            integration = Apigatewayv2Integration(
                self,
                f"{ident}_integration",
                api_id=api.id,
                integration_type="AWS_PROXY",
                integration_method="POST",
                integration_uri=function.invoke_arn,
                payload_format_version="2.0",
                timeout_milliseconds=min(HTTP_API_TIMEOUT_MS, (config.functions[key].timeout + 1) * 1000),
            )
            integrations[key] = integration.id
            LambdaPermission(
                self,
                f"{ident}_invoke",
                statement_id="AllowHttpApi",
                action="lambda:InvokeFunction",
                function_name=function.function_name,
                principal="apigateway.amazonaws.com",
                # this API only, any stage and route
                source_arn=f"{api.execution_arn}/*/*",
            )

        for route_key, route in sorted(config.routes.items()):
            jwt = route.authorization == "jwt"
            if jwt and authorizer is None:
                raise ValueError(f"route {route_key!r} needs a JWT authorizer, but no issuer was given")
            Apigatewayv2Route(
                self,
                f"route_{route_id(route_key)}",
                api_id=api.id,
                route_key=route_key,
                target=f"integrations/{integrations[route.function]}",
                authorization_type="JWT" if jwt else "NONE",
                authorizer_id=authorizer.id if jwt and authorizer is not None else None,
            )

        access_logs = CloudwatchLogGroup(
            self,
            "access_logs",
            name=f"/aws/apigateway/{name}-api",
            retention_in_days=config.access_log_retention_days,
            kms_key_id=kms_key_arn,
            tags={"Name": f"{name}-api-access", **tags},
        )
        stage = Apigatewayv2Stage(
            self,
            "stage",
            api_id=api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings=Apigatewayv2StageAccessLogSettings(
                destination_arn=access_logs.arn, format=ACCESS_LOG_FORMAT
            ),
            default_route_settings=Apigatewayv2StageDefaultRouteSettings(
                throttling_rate_limit=config.throttling_rate_limit,
                throttling_burst_limit=config.throttling_burst_limit,
                detailed_metrics_enabled=True,
            ),
            tags={"Name": f"{name}-api", **tags},
        )
        self.api_id = api.id
        self.api_endpoint = stage.invoke_url
        self.function_names = {key: function.function_name for key, function in self.functions.items()}
        self.role_arns = {key: function.role_arn for key, function in self.functions.items()}
