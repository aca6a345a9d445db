"""Security: the security-group chain, WAF on the ALB, generated application secrets, and per-service IAM roles."""

from modules.security.groups import SecurityGroups
from modules.security.roles import ServiceRoles
from modules.security.secrets import AppSecrets
from modules.security.waf import WebAcl

__all__ = ["AppSecrets", "SecurityGroups", "ServiceRoles", "WebAcl"]
