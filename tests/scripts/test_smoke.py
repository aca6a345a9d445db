"""scripts/smoke.py against a local stand-in of a deployed platform on loopback (never AWS): one stand-in that
behaves like the deployed ALB + WAF, one that gets every check wrong, and a stand-in `aws` CLI for ACM."""

from __future__ import annotations

import os
import ssl
import stat
import subprocess
import sys
import threading
import urllib.parse
import warnings
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR

SCRIPT = PROJECT_DIR / "scripts" / "smoke.py"
PROBES = ("' or '1'='1", "<script>")


@dataclass(frozen=True)
class Behaviour:
    api_health: int
    redirect: bool
    waf: bool


GOOD = Behaviour(api_health=200, redirect=True, waf=True)
BAD = Behaviour(api_health=503, redirect=False, waf=False)


def handler(behaviour: Behaviour, https_port: int, secure: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = urllib.parse.unquote(urllib.parse.urlsplit(self.path).query).lower()
            path = urllib.parse.urlsplit(self.path).path
            if not secure and behaviour.redirect:
                status, headers = 301, {"Location": f"https://localhost:{https_port}{self.path}"}
            elif behaviour.waf and any(probe in query for probe in PROBES):
                status, headers = 403, {}
            elif path == "/api/health":
                status, headers = behaviour.api_health, {}
            else:
                status, headers = (200, {}) if path in ("/health", "/") else (404, {})
            self.send_response(status)
            for name, value in {**headers, "Content-Length": "0"}.items():
                self.send_header(name, value)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("smoke")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class StandIn:
    """An HTTPS and an HTTP server on loopback behaving as `behaviour`; TLS from `minimum` up."""

    def __init__(self, behaviour: Behaviour, certificate: tuple[Path, Path], minimum: ssl.TLSVersion) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificate)
        if minimum < ssl.TLSVersion.TLSv1_2:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 refuses TLS 1.0/1.1 at the default level
        with warnings.catch_warnings():  # the broken stand-in offers TLS 1.0 on purpose; Python flags it as deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = minimum
        self.https = ThreadingHTTPServer(("127.0.0.1", 0), handler(behaviour, 0, secure=True))
        self.https.socket = context.wrap_socket(self.https.socket, server_side=True)
        https_port = self.https.server_address[1]
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler(behaviour, https_port, secure=False))
        self.url = f"https://localhost:{https_port}"
        self.http_url = f"http://localhost:{self.http.server_address[1]}"

    def __enter__(self) -> StandIn:
        for server in (self.https, self.http):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in (self.https, self.http):
            server.shutdown()
            server.server_close()


def fake_aws(folder: Path, status: str) -> dict[str, str]:
    """A stand-in `aws` CLI first on PATH: records its arguments, answers describe-certificate with `status`."""
    folder.mkdir(exist_ok=True)
    executable = folder / "aws"
    executable.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(folder / 'args')!r}, 'w').write(' '.join(sys.argv[1:]))\n"
        f"print(json.dumps({{'Certificate': {{'Status': {status!r}}}}}))\n"
    )
    executable.chmod(executable.stat().st_mode | stat.S_IEXEC)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def smoke(stand_in: StandIn, ca_file: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--url", stand_in.url, "--http-url", stand_in.http_url,
         "--ca-file", str(ca_file), *extra],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )  # fmt: skip


ARN = "arn:aws:acm:ap-northeast-1:123456789012:certificate/11111111-2222-4333-8444-555555555555"


def test_a_healthy_deploy_passes_every_check(certificate: tuple[Path, Path], tmp_path: Path) -> None:
    env = fake_aws(tmp_path / "bin", "ISSUED")
    with StandIn(GOOD, certificate, ssl.TLSVersion.TLSv1_2) as stand_in:
        result = smoke(stand_in, certificate[0], env, "--certificate-arn", ARN, "--region", "ap-northeast-1")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "10/10 checks passed"
    assert all(line.startswith("PASS") for line in lines[:-1]), result.stdout
    assert "GET /api/health answered 200" in result.stdout
    assert "WAF blocks SQL injection (403): GET /?id=1%27%20OR%20%271%27%3D%271 answered 403" in result.stdout
    assert "TLS 1.0 refused: refused" in result.stdout and "TLS 1.1 refused: refused" in result.stdout
    assert "ACM certificate ISSUED: status ISSUED" in result.stdout
    args = (tmp_path / "bin" / "args").read_text()
    assert args == f"acm describe-certificate --certificate-arn {ARN} --region ap-northeast-1 --output json"


def test_every_broken_check_fails_with_its_reason(certificate: tuple[Path, Path], tmp_path: Path) -> None:
    env = fake_aws(tmp_path / "bin", "PENDING_VALIDATION")
    with StandIn(BAD, certificate, ssl.TLSVersion.TLSv1) as stand_in:
        result = smoke(stand_in, certificate[0], env, "--certificate-arn", ARN, "--region", "ap-northeast-1")
    assert result.returncode == 1, result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert [line.split(":")[0] for line in failed] == [
        "FAIL  /api/health answers 200",
        "FAIL  HTTP answers 301 to HTTPS",
        "FAIL  WAF blocks SQL injection (403)",
        "FAIL  WAF blocks XSS (403)",
        "FAIL  TLS 1.0 refused",
        "FAIL  TLS 1.1 refused",
        "FAIL  ACM certificate ISSUED",
    ], result.stdout
    assert "GET /api/health answered 503, expected 200" in result.stdout
    assert "TLS 1.0 refused: negotiated TLSv1" in result.stdout
    assert "status PENDING_VALIDATION" in result.stdout
    assert result.stdout.splitlines()[-1] == "3/10 checks passed"


def test_an_untrusted_certificate_fails(certificate: tuple[Path, Path], tmp_path: Path) -> None:
    """Without the stand-in's CA the served certificate does not verify: the HTTPS checks and the certificate fail."""
    with StandIn(GOOD, certificate, ssl.TLSVersion.TLSv1_2) as stand_in:
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--url", stand_in.url, "--http-url", stand_in.http_url],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    assert result.returncode == 1
    assert "FAIL  certificate verifies: [SSL: CERTIFICATE_VERIFY_FAILED]" in result.stdout
    assert "FAIL  /health answers 200" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--url", "http://app.example.jp"], "--url must be an https:// address, got 'http://app.example.jp'"),
        (["--url", "https://a.example", "--certificate-arn", ARN], "--certificate-arn and --region go together"),
        (["--url", "https://a.example", "--http-url", "ftp://a"], "--http-url must be an http:// address"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(arguments: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert message in result.stderr.splitlines()[-1]
