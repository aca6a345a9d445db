"""Smoke checks after a real deploy, as seed 004 runs them (SPEC section 7).

    .venv/bin/python scripts/smoke.py --url https://app.example.jp [--certificate-arn ARN --region REGION]

Checks, each printed as one PASS/FAIL line (exit code 0 when all pass, 1 otherwise, 2 on bad arguments):

- `GET /health` and `GET /api/health` over HTTPS answer 200;
- plain HTTP (port 80, or `--http-url`) answers 301 with a `Location` on https;
- the WAF answers 403 to an SQL-injection probe and to an XSS probe (query strings);
- TLS 1.2 and 1.3 are accepted where offered, TLS 1.0 and 1.1 are refused (only TLS 1.2+ is offered), and the
  served certificate verifies for the host name;
- with `--certificate-arn`: the ACM certificate's status is ISSUED (`aws acm describe-certificate`, so the AWS CLI
  and the caller's credentials are used; `AWS_ENDPOINT_URL` is honoured by the CLI).

Standard library only; nothing is sent but the GET requests and TLS handshakes above.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import ssl
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SQL_INJECTION = "/?id=1%27%20OR%20%271%27%3D%271"
"""`?id=1' OR '1'='1`: AWSManagedRulesSQLiRuleSet blocks it."""
XSS = "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
"""`?q=<script>alert(1)</script>`: AWSManagedRulesCommonRuleSet (CrossSiteScripting_QUERYARGUMENTS) blocks it."""
TIMEOUT = 10.0
OLD_PROTOCOLS = {"TLS 1.0": ssl.TLSVersion.TLSv1, "TLS 1.1": ssl.TLSVersion.TLSv1_1}


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    http_host: str
    http_port: int
    ca_file: str | None


@dataclass(frozen=True)
class Result:
    name: str
    passed: bool
    detail: str


def _context(target: Target) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=target.ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _get(target: Target, path: str) -> tuple[int, str]:
    connection = http.client.HTTPSConnection(target.host, target.port, timeout=TIMEOUT, context=_context(target))
    try:
        connection.request("GET", path, headers={"User-Agent": "platform-smoke/1"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def check_status(target: Target, path: str, expected: int, name: str) -> Result:
    try:
        status, _ = _get(target, path)
    except (OSError, http.client.HTTPException) as error:
        return Result(name, False, f"GET {path}: {error}")
    return Result(name, status == expected, f"GET {path} answered {status}, expected {expected}")


def check_redirect(target: Target) -> Result:
    name = "HTTP answers 301 to HTTPS"
    connection = http.client.HTTPConnection(target.http_host, target.http_port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/health", headers={"User-Agent": "platform-smoke/1"})
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as error:
        return Result(name, False, f"http://{target.http_host}:{target.http_port}/health: {error}")
    finally:
        connection.close()
    location = response.getheader("Location") or ""
    passed = response.status == 301 and location.startswith("https://")
    return Result(name, passed, f"answered {response.status}, Location {location or '(none)'}")


def _handshake(target: Target, version: ssl.TLSVersion) -> str | None:
    """The negotiated protocol when only `version` is offered, or None when the server refuses it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # let this client offer the old protocols the server must refuse
    context.minimum_version = version
    context.maximum_version = version
    try:
        with (
            socket.create_connection((target.host, target.port), timeout=TIMEOUT) as raw,
            context.wrap_socket(raw, server_hostname=target.host) as tls,
        ):
            return tls.version()
    except (ssl.SSLError, ConnectionResetError):
        return None


def check_tls(target: Target) -> list[Result]:
    results = []
    for label, version in OLD_PROTOCOLS.items():
        negotiated = _handshake(target, version)
        results.append(
            Result(f"{label} refused", negotiated is None, f"negotiated {negotiated}" if negotiated else "refused")
        )
    modern = _handshake(target, ssl.TLSVersion.TLSv1_2) or _handshake(target, ssl.TLSVersion.TLSv1_3)
    results.append(Result("TLS 1.2+ accepted", modern is not None, f"negotiated {modern}"))
    try:
        with (
            socket.create_connection((target.host, target.port), timeout=TIMEOUT) as raw,
            _context(target).wrap_socket(raw, server_hostname=target.host) as tls,
        ):
            subject = dict(item[0] for item in tls.getpeercert()["subject"])  # type: ignore[index, misc]
        results.append(Result("certificate verifies", True, f"subject CN {subject.get('commonName', '?')}"))
    except (ssl.SSLError, OSError) as error:
        results.append(Result("certificate verifies", False, str(error)))
    return results


def check_certificate_status(arn: str, region: str, run: Callable[..., subprocess.CompletedProcess[str]]) -> Result:
    name = "ACM certificate ISSUED"
    command = ["aws", "acm", "describe-certificate", "--certificate-arn", arn, "--region", region, "--output", "json"]
    try:
        completed = run(command, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Result(name, False, f"{' '.join(command[:3])}: {error}")
    if completed.returncode != 0:
        return Result(name, False, completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "failed")
    status = json.loads(completed.stdout)["Certificate"]["Status"]
    return Result(name, status == "ISSUED", f"status {status}")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="smoke.py", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="the public HTTPS address, e.g. https://app.example.jp")
    parser.add_argument("--http-url", help="the plain-HTTP address (default: the same host on port 80)")
    parser.add_argument("--certificate-arn", help="ACM certificate to check for ISSUED (needs --region)")
    parser.add_argument("--region", help="region of --certificate-arn")
    parser.add_argument("--ca-file", help="trust this CA bundle instead of the system store (test servers)")
    arguments = parser.parse_args(argv)
    if bool(arguments.certificate_arn) != bool(arguments.region):
        parser.error("--certificate-arn and --region go together")
    for option in ("url", "http_url"):
        value = getattr(arguments, option)
        scheme = "https" if option == "url" else "http"
        if value is not None and (
            urllib.parse.urlsplit(value).scheme != scheme or not urllib.parse.urlsplit(value).hostname
        ):
            parser.error(f"--{option.replace('_', '-')} must be an {scheme}:// address, got {value!r}")
    return arguments


def target_of(arguments: argparse.Namespace) -> Target:
    url = urllib.parse.urlsplit(arguments.url)
    http_url = urllib.parse.urlsplit(arguments.http_url or f"http://{url.hostname}")
    assert url.hostname is not None and http_url.hostname is not None
    return Target(url.hostname, url.port or 443, http_url.hostname, http_url.port or 80, arguments.ca_file)


def run_checks(
    arguments: argparse.Namespace, run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run
) -> list[Result]:
    target = target_of(arguments)
    results = [
        check_status(target, "/health", 200, "/health answers 200"),
        check_status(target, "/api/health", 200, "/api/health answers 200"),
        check_redirect(target),
        check_status(target, SQL_INJECTION, 403, "WAF blocks SQL injection (403)"),
        check_status(target, XSS, 403, "WAF blocks XSS (403)"),
        *check_tls(target),
    ]
    if arguments.certificate_arn:
        results.append(check_certificate_status(arguments.certificate_arn, arguments.region, run))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_args(sys.argv[1:] if argv is None else argv)
    results = run_checks(arguments)
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'}  {result.name}: {result.detail}")
    failed = [result for result in results if not result.passed]
    print(f"{len(results) - len(failed)}/{len(results)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
