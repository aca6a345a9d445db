"""The bundled AWS price table of `python main.py cost`: public on-demand list prices, in USD, no discounts.

No network access at run time, so the figures are data in this file. They are the list prices published on the AWS
pricing pages named per entry, as of `PRICES_AS_OF` (written from those pages, not fetched: check the page before
relying on a figure, and update this table and the date together). Free tiers, Savings Plans, Reserved Instances
and taxes are not applied. Only the regions the seeds use are bundled; `region_prices` refuses any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PRICES_AS_OF = "2025-06-01"
"""The date the table's list prices are believed current (on-demand, Linux, no upfront commitment)."""

HOURS_PER_MONTH = 730
"""AWS's own month for hourly prices (8,760 hours / 12)."""

VPC = "https://aws.amazon.com/vpc/pricing/"
PRIVATELINK = "https://aws.amazon.com/privatelink/pricing/"
ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/"
FARGATE = "https://aws.amazon.com/fargate/pricing/"
AURORA = "https://aws.amazon.com/rds/aurora/pricing/"
RDS = "https://aws.amazon.com/rds/postgresql/pricing/"
ELASTICACHE = "https://aws.amazon.com/elasticache/pricing/"
EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/"
EBS = "https://aws.amazon.com/ebs/pricing/"
CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/"
S3 = "https://aws.amazon.com/s3/pricing/"
CLOUDFRONT = "https://aws.amazon.com/cloudfront/pricing/"
WAF = "https://aws.amazon.com/waf/pricing/"
KMS = "https://aws.amazon.com/kms/pricing/"
SECRETS = "https://aws.amazon.com/secrets-manager/pricing/"
ROUTE53 = "https://aws.amazon.com/route53/pricing/"
CLOUDTRAIL = "https://aws.amazon.com/cloudtrail/pricing/"


@dataclass(frozen=True)
class Price:
    """One list price: dollars per unit, and the AWS page it comes from."""

    usd: float
    unit: str
    source: str


def _table(source: str, unit: str, prices: Mapping[str, float]) -> dict[str, Price]:
    return {key: Price(usd, unit, source) for key, usd in prices.items()}


GLOBAL: dict[str, Price] = {
    "public_ipv4": Price(0.005, "hour per address", VPC),
    "waf_web_acl": Price(5.00, "web ACL-month", WAF),
    "waf_rule": Price(1.00, "rule-month (a managed rule group counts as one rule)", WAF),
    "waf_requests": Price(0.60, "million requests", WAF),
    "kms_key": Price(1.00, "customer managed key-month", KMS),
    "secret": Price(0.40, "secret-month", SECRETS),
    "alarm": Price(0.10, "standard-resolution alarm metric-month", CLOUDWATCH),
    "dashboard": Price(3.00, "dashboard-month", CLOUDWATCH),
    "hosted_zone": Price(0.50, "hosted zone-month (first 25 zones)", ROUTE53),
    "cloudtrail_copy": Price(2.00, "100,000 management events of an additional trail copy", CLOUDTRAIL),
}
"""Prices that are the same in both bundled regions (CloudFront's WAF is billed like a regional one)."""

TOKYO = "ap-northeast-1"
VIRGINIA = "us-east-1"

REGIONAL: dict[str, dict[str, Price]] = {
    TOKYO: {
        "nat_hour": Price(0.062, "NAT gateway-hour", VPC),
        "nat_gb": Price(0.062, "GB processed", VPC),
        "endpoint_hour": Price(0.014, "interface endpoint-hour per AZ", PRIVATELINK),
        "endpoint_gb": Price(0.01, "GB processed (first PB)", PRIVATELINK),
        "alb_hour": Price(0.0243, "ALB-hour", ELB),
        "alb_lcu": Price(0.008, "LCU-hour", ELB),
        "fargate_vcpu.X86_64": Price(0.05056, "vCPU-hour (Linux/x86)", FARGATE),
        "fargate_gb.X86_64": Price(0.00553, "GB-hour (Linux/x86)", FARGATE),
        "fargate_vcpu.ARM64": Price(0.04045, "vCPU-hour (Linux/ARM)", FARGATE),
        "fargate_gb.ARM64": Price(0.00442, "GB-hour (Linux/ARM)", FARGATE),
        "aurora_acu": Price(0.15, "ACU-hour (Aurora Standard, PostgreSQL)", AURORA),
        "aurora_storage": Price(0.12, "GB-month (Aurora Standard)", AURORA),
        "aurora_io": Price(0.24, "million I/O requests (Aurora Standard)", AURORA),
        "rds_storage.gp3": Price(0.138, "GB-month (gp3, Single-AZ)", RDS),
        "rds_storage.gp2": Price(0.138, "GB-month (gp2, Single-AZ)", RDS),
        "ebs_gp3": Price(0.096, "GB-month (gp3)", EBS),
        "logs_ingest": Price(0.76, "GB ingested (standard class)", CLOUDWATCH),
        "logs_storage": Price(0.033, "GB-month archived", CLOUDWATCH),
        "s3_standard": Price(0.025, "GB-month (S3 Standard, first 50 TB)", S3),
        "internet_out": Price(0.114, "GB out to the internet (first 10 TB)", EC2),
        "cloudfront_gb": Price(0.114, "GB out to viewers in Japan (first 10 TB)", CLOUDFRONT),
        "cloudfront_https": Price(0.012, "10,000 HTTPS requests (Japan)", CLOUDFRONT),
        **_table(
            RDS,
            "instance-hour (PostgreSQL, Single-AZ)",
            {
                "rds.db.t3.micro": 0.028,
                "rds.db.t3.small": 0.056,
                "rds.db.t3.medium": 0.113,
                "rds.db.t3.large": 0.226,
                "rds.db.t4g.micro": 0.025,
                "rds.db.t4g.small": 0.051,
                "rds.db.t4g.medium": 0.102,
                "rds.db.t4g.large": 0.203,
                "rds.db.m6g.large": 0.198,
                "rds.db.m7g.large": 0.211,
                "rds.db.r6g.large": 0.28,
            },
        ),
        **_table(
            ELASTICACHE,
            "node-hour",
            {
                "cache.cache.t3.micro": 0.026,
                "cache.cache.t3.small": 0.052,
                "cache.cache.t3.medium": 0.104,
                "cache.cache.t4g.micro": 0.025,
                "cache.cache.t4g.small": 0.05,
                "cache.cache.t4g.medium": 0.099,
                "cache.cache.m6g.large": 0.193,
                "cache.cache.r6g.large": 0.257,
            },
        ),
        **_table(
            EC2,
            "instance-hour (Linux)",
            {"ec2.t3.nano": 0.0068, "ec2.t3.micro": 0.0136, "ec2.t4g.nano": 0.0054, "ec2.t4g.micro": 0.0108},
        ),
    },
    VIRGINIA: {
        "nat_hour": Price(0.045, "NAT gateway-hour", VPC),
        "nat_gb": Price(0.045, "GB processed", VPC),
        "endpoint_hour": Price(0.01, "interface endpoint-hour per AZ", PRIVATELINK),
        "endpoint_gb": Price(0.01, "GB processed (first PB)", PRIVATELINK),
        "alb_hour": Price(0.0225, "ALB-hour", ELB),
        "alb_lcu": Price(0.008, "LCU-hour", ELB),
        "fargate_vcpu.X86_64": Price(0.04048, "vCPU-hour (Linux/x86)", FARGATE),
        "fargate_gb.X86_64": Price(0.004445, "GB-hour (Linux/x86)", FARGATE),
        "fargate_vcpu.ARM64": Price(0.03238, "vCPU-hour (Linux/ARM)", FARGATE),
        "fargate_gb.ARM64": Price(0.00356, "GB-hour (Linux/ARM)", FARGATE),
        "aurora_acu": Price(0.12, "ACU-hour (Aurora Standard, PostgreSQL)", AURORA),
        "aurora_storage": Price(0.10, "GB-month (Aurora Standard)", AURORA),
        "aurora_io": Price(0.20, "million I/O requests (Aurora Standard)", AURORA),
        "rds_storage.gp3": Price(0.115, "GB-month (gp3, Single-AZ)", RDS),
        "rds_storage.gp2": Price(0.115, "GB-month (gp2, Single-AZ)", RDS),
        "ebs_gp3": Price(0.08, "GB-month (gp3)", EBS),
        "logs_ingest": Price(0.50, "GB ingested (standard class)", CLOUDWATCH),
        "logs_storage": Price(0.03, "GB-month archived", CLOUDWATCH),
        "s3_standard": Price(0.023, "GB-month (S3 Standard, first 50 TB)", S3),
        "internet_out": Price(0.09, "GB out to the internet (first 10 TB)", EC2),
        "cloudfront_gb": Price(0.085, "GB out to viewers in the United States (first 10 TB)", CLOUDFRONT),
        "cloudfront_https": Price(0.01, "10,000 HTTPS requests (United States)", CLOUDFRONT),
        **_table(
            RDS,
            "instance-hour (PostgreSQL, Single-AZ)",
            {
                "rds.db.t3.micro": 0.018,
                "rds.db.t3.small": 0.036,
                "rds.db.t3.medium": 0.072,
                "rds.db.t3.large": 0.145,
                "rds.db.t4g.micro": 0.016,
                "rds.db.t4g.small": 0.032,
                "rds.db.t4g.medium": 0.065,
                "rds.db.t4g.large": 0.129,
                "rds.db.m6g.large": 0.159,
                "rds.db.m7g.large": 0.168,
                "rds.db.r6g.large": 0.225,
            },
        ),
        **_table(
            ELASTICACHE,
            "node-hour",
            {
                "cache.cache.t3.micro": 0.017,
                "cache.cache.t3.small": 0.034,
                "cache.cache.t3.medium": 0.068,
                "cache.cache.t4g.micro": 0.016,
                "cache.cache.t4g.small": 0.032,
                "cache.cache.t4g.medium": 0.065,
                "cache.cache.m6g.large": 0.149,
                "cache.cache.r6g.large": 0.206,
            },
        ),
        **_table(
            EC2,
            "instance-hour (Linux)",
            {"ec2.t3.nano": 0.0052, "ec2.t3.micro": 0.0104, "ec2.t4g.nano": 0.0042, "ec2.t4g.micro": 0.0084},
        ),
    },
}
"""Per-region list prices; keys `rds.<class>`, `cache.<node type>`, `ec2.<type>` per size, the rest per service."""

REGIONS = tuple(REGIONAL)


class UnknownRegionError(ValueError):
    """The table has no prices for this region."""


def region_prices(region: str) -> dict[str, Price]:
    """Every price that applies in `region` (regional and global); UnknownRegionError naming the bundled regions."""
    if region not in REGIONAL:
        raise UnknownRegionError(f"no bundled prices for region {region}; the price table covers {', '.join(REGIONS)}")
    return {**GLOBAL, **REGIONAL[region]}
