"""The pure part of the ALB routing plan: which rules a service gets and where they rank.

Shared by the load balancer module (which turns the plan into listener rules with priorities) and the config
checks (which refuse a plan the priority scheme cannot hold before anything is synthesized), so the two cannot
disagree.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.services import RoutingConfig

MAX_CONDITION_VALUES = 3
"""ALB accepts at most three values per rule condition (and five per rule), so host lists are chunked."""

TIER_SIZE = 16000
"""Priorities per rule tier: host+path rules use 1..16000, host-only 16001..32000, path-only 32001..48000."""

SPECIFICITY_LEVELS = 160
"""Distinct specificity levels inside a tier (longer literal prefixes first); higher ones share the top level."""

SLOTS_PER_LEVEL = TIER_SIZE // SPECIFICITY_LEVELS
"""Priorities per specificity level; a rule's slot is a hash of its service and conditions."""

TIER_NAMES = ("host+path", "host-only", "path-only")
"""The rule tiers in priority order, as messages name them."""

Conditions = tuple[tuple[str, ...], tuple[str, ...]]
"""(host_headers, path_patterns) of one listener rule."""


def literal_length(pattern: str) -> int:
    """Characters before the first wildcard; an exact pattern (no wildcard) ranks above a wildcard one."""
    cut = min((pattern.index(char) for char in "*?" if char in pattern), default=None)
    if cut is None:
        return 2 * len(pattern) + 1
    return 2 * cut


def specificity(host_headers: tuple[str, ...], path_patterns: tuple[str, ...]) -> int:
    """How specific a rule is inside its tier: the path's literal prefix, or for host-only rules the hosts'."""
    patterns = path_patterns or host_headers
    if not path_patterns:
        # `*.example.com` is less specific than `api.example.com`: count literal characters, not a prefix
        return min(2 * len(host.replace("*", "").replace("?", "")) + ("*" not in host) for host in patterns)
    return min(literal_length(pattern) for pattern in patterns)


def chunks(values: tuple[str, ...]) -> list[tuple[str, ...]]:
    """`values` in runs of at most MAX_CONDITION_VALUES (one rule condition each)."""
    return [values[start : start + MAX_CONDITION_VALUES] for start in range(0, len(values), MAX_CONDITION_VALUES)]


def rule_conditions(routing: RoutingConfig) -> list[Conditions]:
    """(host_headers, path_patterns) of each rule of one service: one rule per path pattern and host chunk."""
    host_chunks = chunks(routing.host_headers) or [()]
    if routing.path_patterns:
        return [(hosts, (path,)) for path in routing.path_patterns for hosts in host_chunks]
    if routing.host_headers:
        return [(hosts, ()) for hosts in host_chunks]
    return []


def rule_level(hosts: tuple[str, ...], paths: tuple[str, ...]) -> tuple[int, int]:
    """(tier, specificity level) of a rule: the block of SLOTS_PER_LEVEL priorities its priority falls in."""
    tier = 0 if hosts and paths else 1 if hosts else 2
    level = SPECIFICITY_LEVELS - 1 - min(specificity(hosts, paths), SPECIFICITY_LEVELS - 1)
    return tier, level


GRPC_STATUS_MAX = 99
"""gRPC target groups match gRPC status codes 0-99."""

HTTP_STATUS_RANGE = (200, 499)
"""HTTP target groups match HTTP codes 200-499."""

_MATCHER = re.compile(r"^\d{1,3}(-\d{1,3}|(,\d{1,3})*)$")


def matcher_problem(matcher: str, *, grpc: bool) -> str | None:
    """Why the ALB would refuse `matcher` as a health-check success code list, or None when it is valid."""
    low, high = (0, GRPC_STATUS_MAX) if grpc else HTTP_STATUS_RANGE
    kind = "gRPC status codes" if grpc else "HTTP codes"
    example = "'12' or '0-99'" if grpc else "'200', '200,204' or '200-299'"
    if not _MATCHER.match(matcher):
        return f"{matcher!r} is not a code list; use one code, a comma list or a range of {kind}, e.g. {example}"
    codes = [int(code) for code in re.split(r"[-,]", matcher)]
    if "-" in matcher and codes[0] > codes[1]:
        return f"{matcher!r} is a range that ends before it starts"
    outside = [code for code in codes if not low <= code <= high]
    if outside:
        what = "a gRPC target group matches gRPC status codes" if grpc else "an HTTP target group matches codes"
        return f"{matcher!r}: {what} {low}-{high} (e.g. {example})"
    return None
