"""Usage assumptions of `python main.py cost`: what the price table cannot read from the stacks.

They change no resource. Every key has a stated default, so an environment without `[cost]` is still estimated.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from config.base import ConfigModel

Amount = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]
"""A monthly quantity: 0 to 1,000,000 (a finite number)."""


class CostConfig(ConfigModel):
    """Monthly usage per environment that usage-priced components are estimated with."""

    requests_millions: Amount = 1.0
    """HTTP requests per month, in millions (ALB LCUs aside: CloudFront requests, WAF requests per web ACL)."""
    data_out_gb: Amount = 10.0
    """GB per month sent to the internet: through CloudFront when the environment has a distribution, else the ALB."""
    alb_lcu: Amount = 1.0
    """Average load balancer capacity units of the ALB, over the month."""
    nat_gb: Amount = 10.0
    """GB per month processed by the NAT gateways (all of them together)."""
    endpoint_gb: Amount = 10.0
    """GB per month processed by the interface VPC endpoints (all of them together)."""
    log_gb: Amount = 5.0
    """GB of logs ingested per month into all CloudWatch log groups (flow logs, services, trail, WAF...)."""
    storage_gb: Amount = 10.0
    """GB stored in the application and log buckets together (S3 Standard)."""
    database_gb: Amount = 20.0
    """Aurora cluster storage, GB (an RDS instance is priced at its allocated storage instead)."""
    database_io_millions: Amount = 10.0
    """Aurora I/O requests per month, in millions (Aurora Standard)."""
    spot_discount: float = Field(default=0.7, ge=0, le=0.9, allow_inf_nan=False)
    """Fargate Spot's discount on the on-demand price (AWS: up to 70 %; the actual price varies)."""
    trail_events_millions: Amount = 0.0
    """Management events per month a trail records as an additional copy ($2 per 100,000); 0 = each trail is the
    account's first copy of management events, which is free."""
