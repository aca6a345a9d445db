"""The ALB routing plan as plain functions: which listener rules the routed services get, and their priorities.

Config checks use it to report priority collisions as config errors (no jsii needed); the load balancer module
builds its rules from the same plan, so what validation accepted is exactly what is synthesized.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from config.services import RoutingConfig, ServiceConfig

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


class RoutingConflictError(ValueError):
    """Two services claim the same host/path or listener priority, or more than one claims the default route."""


class LevelFullError(RoutingConflictError):
    """One service has more rules of one specificity level than the level has priorities."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(message)
        self.service = service


@dataclass(frozen=True)
class ListenerRule:
    """One listener rule of the routing plan: which service it forwards to, its conditions and its priority."""

    service: str
    index: int
    host_headers: tuple[str, ...]
    path_patterns: tuple[str, ...]
    priority: int


@dataclass(frozen=True)
class PriorityCollision:
    """Rules of two services that hash to the same listener priority."""

    first: ListenerRule
    second: ListenerRule
    first_offset: int
    """A `routing.priority_offset` for the first service that gives all its rules free priorities."""
    second_offset: int
    """The same for the second service."""

    def message(self) -> str:
        """One line naming both services, both rules and the key that resolves the collision."""
        return (
            f"listener priority {self.first.priority} is the slot of both '{self.first.service}' "
            f"({_describe(self.first)}) and '{self.second.service}' ({_describe(self.second)}); priorities never "
            f"move to make room, so set routing.priority_offset on the service you are adding (the other's rules "
            f"are live and keep their priority): {self.first_offset} on '{self.first.service}' or "
            f"{self.second_offset} on '{self.second.service}'"
        )


def _describe(rule: ListenerRule) -> str:
    parts = []
    if rule.host_headers:
        parts.append(f"hosts {', '.join(rule.host_headers)}")
    if rule.path_patterns:
        parts.append(f"path {', '.join(rule.path_patterns)}")
    return " ".join(parts)


def routed_services(services: Mapping[str, ServiceConfig]) -> dict[str, ServiceConfig]:
    """The services that sit behind the ALB: enabled web services, by name in sorted order."""
    return {
        name: services[name] for name in sorted(services) if services[name].enabled and services[name].kind == "web"
    }


def routing_of(service: ServiceConfig) -> RoutingConfig:
    """The routing of a web service (ServiceConfig requires it for `kind = "web"`)."""
    assert service.routing is not None, "ServiceConfig guarantees routing for web services"
    return service.routing


def default_service(services: Mapping[str, ServiceConfig]) -> str | None:
    """The routed service that takes requests no rule matches, or None for a fixed 404."""
    defaults = [name for name, service in routed_services(services).items() if routing_of(service).default]
    if len(defaults) > 1:
        raise RoutingConflictError(
            f"services {', '.join(defaults)} all set routing.default = true; only one can take unmatched requests"
        )
    return defaults[0] if defaults else None


def _literal_length(pattern: str) -> int:
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
    return min(_literal_length(pattern) for pattern in patterns)


def _chunks(values: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [values[start : start + MAX_CONDITION_VALUES] for start in range(0, len(values), MAX_CONDITION_VALUES)]


def rule_conditions(routing: RoutingConfig) -> list[Conditions]:
    """(host_headers, path_patterns) of each rule of one service: one rule per path pattern and host chunk."""
    host_chunks = _chunks(routing.host_headers) or [()]
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


def _check_overlaps(services: Mapping[str, ServiceConfig]) -> None:
    claimed: dict[tuple[str, str], str] = {}
    for name, service in services.items():
        routing = routing_of(service)
        for host in tuple(host.lower() for host in routing.host_headers) or ("(any host)",):
            for path in routing.path_patterns or ("(any path)",):
                if host == "(any host)" and path == "(any path)":
                    continue
                owner = claimed.setdefault((host, path), name)
                if owner != name:
                    raise RoutingConflictError(
                        f"services {owner} and {name} both route host {host} path {path}; "
                        f"only the first rule would ever match"
                    )


def _service_rules(name: str, service: ServiceConfig, offset: int) -> list[ListenerRule]:
    """One service's rules with priorities that depend on nothing but this service's own config.

    Each rule's slot is a hash of the service name and its conditions, shifted by `offset`; two rules of the same
    service on one slot take the next free slot in rule order (only this service's own rules can move).
    """
    taken: set[int] = set()
    rules = []
    for index, (hosts, paths) in enumerate(rule_conditions(routing_of(service))):
        tier, level = rule_level(hosts, paths)
        base = 1 + tier * TIER_SIZE + level * SLOTS_PER_LEVEL
        digest = hashlib.sha256("|".join((name, ",".join(hosts), ",".join(paths))).encode()).digest()
        slot = int.from_bytes(digest[:8], "big") + offset
        for probe in range(SLOTS_PER_LEVEL):
            priority = base + (slot + probe) % SLOTS_PER_LEVEL
            if priority not in taken:
                break
        else:
            raise LevelFullError(
                name,
                f"service {name} has more than {SLOTS_PER_LEVEL} rules of one specificity level; "
                f"an ALB priority level holds {SLOTS_PER_LEVEL}",
            )
        taken.add(priority)
        rules.append(ListenerRule(name, index, hosts, paths, priority))
    return rules


def _free_offset(name: str, service: ServiceConfig, others: set[int]) -> int:
    """The smallest priority_offset (beyond the current one) that puts every rule of the service on a free slot."""
    current = routing_of(service).priority_offset
    for step in range(1, SLOTS_PER_LEVEL):
        offset = (current + step) % SLOTS_PER_LEVEL
        try:
            if not {rule.priority for rule in _service_rules(name, service, offset)} & others:
                return offset
        except LevelFullError:
            break
    return current


def plan_rules(services: Mapping[str, ServiceConfig]) -> tuple[tuple[ListenerRule, ...], list[PriorityCollision]]:
    """Every routed service's rules, and the cross-service priority collisions (empty when the plan is valid)."""
    routed = routed_services(services)
    per_service = {
        name: _service_rules(name, service, routing_of(service).priority_offset) for name, service in routed.items()
    }
    owner: dict[int, ListenerRule] = {}
    collisions: list[PriorityCollision] = []
    for name, rules in per_service.items():
        for rule in rules:
            other = owner.setdefault(rule.priority, rule)
            if other.service != name:
                first_taken = {r.priority for s, rs in per_service.items() if s != other.service for r in rs}
                second_taken = {r.priority for s, rs in per_service.items() if s != name for r in rs}
                collisions.append(
                    PriorityCollision(
                        first=other,
                        second=rule,
                        first_offset=_free_offset(other.service, routed[other.service], first_taken),
                        second_offset=_free_offset(name, routed[name], second_taken),
                    )
                )
    return tuple(rule for rules in per_service.values() for rule in rules), collisions


def listener_rules(services: Mapping[str, ServiceConfig]) -> tuple[ListenerRule, ...]:
    """The HTTPS listener's rules for the routed services, with deterministic priorities (lower matches first).

    Each service gets one rule per path pattern (times one per chunk of up to three host headers), or one rule
    per host chunk when it routes by host only; a default-only service gets no rule. Every rule's priority is a
    function of its own service's config alone, so adding or removing a service never renumbers the others:

    - tier: host+path rules 1..16000, then host-only 16001..32000, then path-only 32001..48000 (a host names a
      whole site, so it outranks a path rule that applies to every host); 48001..50000 stay free for manual rules;
    - level inside the tier: more specific first -- the longer the literal part of the path before a wildcard
      (`/api/admin/*` before `/api/*`, an exact `/api` before `/api*`), or of the host for host-only rules;
    - slot inside the level: a SHA-256 of the service name and the rule's conditions plus the service's
      `routing.priority_offset`, modulo 100.

    Two services landing on the same slot is an error (RoutingConflictError naming both and the offset that
    frees it), never a silent move of one of them. Also raises when two services claim the same host/path pair
    or more than one is the default.
    """
    routed = routed_services(services)
    default_service(routed)
    _check_overlaps(routed)
    rules, collisions = plan_rules(routed)
    if collisions:
        raise RoutingConflictError("; ".join(collision.message() for collision in collisions))
    return rules


def rule_priorities(services: Mapping[str, ServiceConfig]) -> dict[str, tuple[int, ...]]:
    """Each routed service's rule priorities, in rule order (empty for a default-only service)."""
    plan = listener_rules(services)
    return {name: tuple(rule.priority for rule in plan if rule.service == name) for name in routed_services(services)}


def priority_problems(services: Mapping[str, ServiceConfig]) -> list[tuple[str, str]]:
    """Priority collisions and over-full levels as (key path, message) for the config checks."""
    try:
        _, collisions = plan_rules(routed_services(services))
    except LevelFullError as error:
        return [(f"services.{error.service}.routing", str(error))]
    return [(f"services.{c.second.service}.routing.priority_offset", c.message()) for c in collisions]
