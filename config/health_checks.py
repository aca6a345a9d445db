"""Health-check success codes an ALB target group accepts, checked at config time."""

from __future__ import annotations

import re

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
