"""Edge constructs: the Route53 zone and DNS-validated certificates, the SPA's CloudFront CDN and its origin secret."""

from modules.edge.cdn import MANAGED_POLICIES as MANAGED_POLICIES
from modules.edge.cdn import ApiOrigin as ApiOrigin
from modules.edge.cdn import Cdn as Cdn
from modules.edge.domain import AliasTarget as AliasTarget
from modules.edge.domain import Certificates as Certificates
from modules.edge.domain import HostedZone as HostedZone
from modules.edge.domain import alias_records as alias_records
from modules.edge.origin_secret import OriginSecret as OriginSecret
from modules.edge.origin_secret import origin_secret_value as origin_secret_value
