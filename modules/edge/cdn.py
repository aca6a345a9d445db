"""The SPA's CDN: a private S3 bucket behind CloudFront (Origin Access Control), standard logs, optional API paths."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudfront_distribution import (
    CloudfrontDistribution,
    CloudfrontDistributionCustomErrorResponse,
    CloudfrontDistributionDefaultCacheBehavior,
    CloudfrontDistributionLoggingConfig,
    CloudfrontDistributionOrderedCacheBehavior,
    CloudfrontDistributionOrigin,
    CloudfrontDistributionOriginCustomHeader,
    CloudfrontDistributionOriginCustomOriginConfig,
    CloudfrontDistributionRestrictions,
    CloudfrontDistributionRestrictionsGeoRestriction,
    CloudfrontDistributionViewerCertificate,
)
from cdktf_cdktf_provider_aws.cloudfront_origin_access_control import CloudfrontOriginAccessControl
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from constructs import Construct

from config.edge import CdnConfig
from modules.bucket import BucketGrant, PrivateBucket

MANAGED_POLICIES = {
    "CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "SecurityHeadersPolicy": "67f7725c-6f97-4210-82d7-5512b31e9d03",
}
"""AWS managed cache, origin-request and response-headers policies (fixed ids, the same in every account).
SecurityHeadersPolicy adds HSTS, nosniff, SAMEORIGIN framing and a referrer policy unless the origin sets them."""

SPA_ORIGIN = "spa"
API_ORIGIN = "alb"
INDEX = "index.html"
ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
READ_METHODS = ["GET", "HEAD"]
MINIMUM_PROTOCOL = "TLSv1.2_2021"
LOG_PREFIX = "cloudfront/"


@dataclass(frozen=True)
class ApiOrigin:
    """The ALB as a second origin: reached by `domain_name` (covered by its certificate) with a secret header."""

    domain_name: str
    paths: tuple[str, ...]
    header_name: str
    header_value: str


class Cdn(Construct):
    """A private SPA bucket served by one CloudFront distribution, and the bucket its standard logs go to.

    The bucket's policy lets only this distribution (OAC, `AWS:SourceArn`) read objects. `index.html` is the root
    object, and 403/404 answers become `/index.html` with 200 so client-side routes load the app. HTTP/2 and 3,
    IPv6, compression and the AWS managed CachingOptimized policy; with `aliases` and `certificate_arn` (us-east-1)
    viewers need TLS 1.2 (`TLSv1.2_2021`), otherwise the distribution serves its *.cloudfront.net name with
    CloudFront's default certificate. With `api`, its paths go to the ALB over HTTPS only, uncached, with every
    method and viewer header, and with the secret origin header.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        account_id: str,
        config: CdnConfig,
        aliases: Sequence[str] = (),
        certificate_arn: str | None = None,
        api: ApiOrigin | None = None,
        web_acl_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        if bool(aliases) != (certificate_arn is not None):
            raise ValueError("aliases need a us-east-1 certificate covering them, and a certificate needs aliases")
        spa = PrivateBucket(
            self,
            "spa",
            bucket_name=f"{name}-spa-{account_id}",
            # SSE-S3: OAC reads SSE-KMS objects only if the key policy admits CloudFront, and this key is shared
            kms_key_arn=None,
            versioning=config.versioning,
            force_destroy=config.force_destroy,
            lifecycle_rules=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-old-versions",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=config.noncurrent_days
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
            tags={"Name": f"{name}-spa", **tags},
        )
        self.spa_bucket_name = spa.bucket_name
        self.spa_bucket_arn = spa.bucket_arn

        logging = None
        log_dependencies = []
        self.logs_bucket_name: str | None = None
        if config.logging.enabled:
            logs = PrivateBucket(
                self,
                "logs",
                bucket_name=f"{name}-cdn-logs-{account_id}",
                # Standard (legacy) logging supports SSE-S3 only and writes through an ACL that CloudFront adds to
                # the bucket when logging is switched on, so ACLs stay possible here (never public: access blocks).
                kms_key_arn=None,
                object_ownership="BucketOwnerPreferred",
                force_destroy=config.logging.force_destroy,
                lifecycle_rules=[
                    S3BucketLifecycleConfigurationRule(
                        id="expire-access-logs",
                        status="Enabled",
                        filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                        expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=config.logging.retention_days)],
                        noncurrent_version_expiration=[
                            S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=7)
                        ],
                        abort_incomplete_multipart_upload=[
                            S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                        ],
                    )
                ],
                tags={"Name": f"{name}-cdn-logs", **tags},
            )
            self.logs_bucket_name = logs.bucket_name
            logging = CloudfrontDistributionLoggingConfig(
                bucket=logs.bucket_domain_name, prefix=LOG_PREFIX, include_cookies=False
            )
            log_dependencies.append(logs.ownership)

        access = CloudfrontOriginAccessControl(
            self,
            "oac",
            name=f"{name}-spa",
            description=f"CloudFront reads {name}'s SPA bucket with SigV4",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
        )
        origins = [
            CloudfrontDistributionOrigin(
                origin_id=SPA_ORIGIN,
                domain_name=spa.bucket_regional_domain_name,
                origin_access_control_id=access.id,
            )
        ]
        behaviours = []
        if api is not None:
            origins.append(
                CloudfrontDistributionOrigin(
                    origin_id=API_ORIGIN,
                    domain_name=api.domain_name,
                    custom_origin_config=CloudfrontDistributionOriginCustomOriginConfig(
                        http_port=80,
                        https_port=443,
                        origin_protocol_policy="https-only",
                        origin_ssl_protocols=["TLSv1.2"],
                    ),
                    custom_header=[
                        CloudfrontDistributionOriginCustomHeader(name=api.header_name, value=api.header_value)
                    ],
                )
            )
            behaviours = [
                CloudfrontDistributionOrderedCacheBehavior(
                    path_pattern=path,
                    target_origin_id=API_ORIGIN,
                    viewer_protocol_policy="https-only",
                    allowed_methods=ALL_METHODS,
                    cached_methods=READ_METHODS,
                    compress=True,
                    cache_policy_id=MANAGED_POLICIES["CachingDisabled"],
                    origin_request_policy_id=MANAGED_POLICIES["AllViewer"],
                    response_headers_policy_id=MANAGED_POLICIES["SecurityHeadersPolicy"],
                )
                for path in api.paths
            ]

        distribution = CloudfrontDistribution(
            self,
            "distribution",
            enabled=True,
            comment=f"{name} SPA",
            aliases=list(aliases) or None,
            default_root_object=INDEX,
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=config.price_class,
            origin=origins,
            default_cache_behavior=CloudfrontDistributionDefaultCacheBehavior(
                target_origin_id=SPA_ORIGIN,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=[*READ_METHODS, "OPTIONS"],
                cached_methods=READ_METHODS,
                compress=True,
                cache_policy_id=MANAGED_POLICIES["CachingOptimized"],
                response_headers_policy_id=MANAGED_POLICIES["SecurityHeadersPolicy"],
            ),
            ordered_cache_behavior=behaviours or None,
            # Client-side routes (/todos/42) are no objects: S3 answers 403 through OAC (404 with ListBucket).
            custom_error_response=[
                CloudfrontDistributionCustomErrorResponse(
                    error_code=code, response_code=200, response_page_path=f"/{INDEX}", error_caching_min_ttl=10
                )
                for code in (403, 404)
            ],
            restrictions=CloudfrontDistributionRestrictions(
                geo_restriction=CloudfrontDistributionRestrictionsGeoRestriction(restriction_type="none")
            ),
            viewer_certificate=CloudfrontDistributionViewerCertificate(
                acm_certificate_arn=certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=MINIMUM_PROTOCOL,
            )
            if certificate_arn is not None
            else CloudfrontDistributionViewerCertificate(cloudfront_default_certificate=True),
            logging_config=logging,
            web_acl_id=web_acl_arn,
            depends_on=log_dependencies or None,
            tags={"Name": f"{name}-spa", **tags},
        )
        spa.add_grant(
            BucketGrant(
                "CloudFrontReadsSpa",
                "Service",
                "cloudfront.amazonaws.com",
                ("s3:GetObject",),
                "",
                source_arn=distribution.arn,
            )
        )
        self.distribution_id = distribution.id
        self.distribution_arn = distribution.arn
        self.domain_name = distribution.domain_name
        self.hosted_zone_id = distribution.hosted_zone_id
