"""moto server (a local AWS API emulator) for tests that run real Terraform against the synthesized stacks.

One server per test module on a free loopback port, with TLS (the state bucket refuses plain HTTP). Only what is
unavoidable to leave AWS is changed, in a `moto_override.tf.json` file Terraform merges on top of `cdk.tf.json`:
endpoints, dummy credentials, TLS verification of moto's self-signed certificate and a low retry count (an API
moto does not serve answers HTTP 500, which the provider would otherwise retry for ~15 minutes). What the
emulator cannot do beyond that is listed, with the behaviour behind each entry, in tests/e2e/profile.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT_DIR

MOTO_SERVER = PROJECT_DIR / ".venv-tools" / "bin" / "moto_server"
TOOLS_PYTHON = PROJECT_DIR / ".venv-tools" / "bin" / "python"
REGION = "ap-northeast-1"
ACCOUNT_ID = "123456789012"  # moto's default account
OVERRIDE_FILE = "moto_override.tf.json"

SERVICES = (
    "acm",
    "apigatewayv2",
    "appautoscaling",
    "batch",
    "cloudfront",
    "cloudtrail",
    "cloudwatch",
    "codedeploy",
    "cognitoidentity",
    "cognitoidp",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "elasticache",
    "elbv2",
    "events",
    "iam",
    "kms",
    "lambda",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "ses",
    "sesv2",
    "sns",
    "sqs",
    "ssm",
    "sts",
    "wafv2",
)
"""Provider endpoint names of every AWS API the stacks use, all pointed at moto."""

ACM_VALIDATION_WAIT = 5
"""Seconds moto keeps a requested certificate PENDING_VALIDATION (see moto_server)."""

MAX_RETRIES = 3
"""The provider's retry count on the emulator: an API moto does not implement answers 500, retried for ~15 minutes
at the default of 25; 3 keeps that to seconds and still rides out a dropped loopback connection under load."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def moto_server(log: Path | None = None) -> Iterator[str]:
    """A moto server with TLS on a free loopback port; yields its endpoint URL and stops it afterwards."""
    if not MOTO_SERVER.exists():
        raise RuntimeError(f"{MOTO_SERVER} is missing: run `make install`")
    port = free_port()
    env = {
        **os.environ,
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",  # AWS-managed policies the roles attach
        # moto issues a DNS-validated certificate this many seconds after the request (default 60), whether or not
        # the validation record exists; the stacks create that record at once, so the wait is only wall time
        "MOTO_ACM_VALIDATION_WAIT": str(ACM_VALIDATION_WAIT),
    }
    output = log.open("w") if log is not None else subprocess.DEVNULL
    server = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port), "--ssl"], stdout=output, stderr=output, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None:
                raise RuntimeError("moto_server exited at start")
            time.sleep(0.2)
        else:
            raise RuntimeError("moto_server did not start")
        yield f"https://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if log is not None and not isinstance(output, int):
            output.close()


def provider_override(endpoint: str, *, region: str | None = REGION) -> dict[str, Any]:
    """Endpoints, dummy credentials and TLS skip for one AWS provider block (region kept for an aliased one)."""
    override: dict[str, Any] = {
        "access_key": "test",
        "secret_key": "test",
        "insecure": True,
        "max_retries": MAX_RETRIES,
        "skip_credentials_validation": True,
        "skip_metadata_api_check": True,
        "skip_requesting_account_id": True,
        "s3_use_path_style": True,
        "endpoints": [dict.fromkeys(SERVICES, endpoint)],
    }
    if region is not None:
        override["region"] = region
    return override


def emulator_backend(document: dict[str, Any], endpoint: str) -> dict[str, Any]:
    """The synthesized S3 backend block plus only the emulator's endpoints, dummy credentials and TLS skip."""
    backend = dict(document["terraform"]["backend"]["s3"])
    backend.update(
        access_key="test",
        secret_key="test",
        insecure=True,
        skip_credentials_validation=True,
        skip_requesting_account_id=True,
        skip_metadata_api_check=True,
        use_path_style=True,
        endpoints={"s3": endpoint, "dynamodb": endpoint, "sts": endpoint, "iam": endpoint},
    )
    return backend


def providers_override(document: dict[str, Any], endpoint: str) -> list[dict[str, Any]]:
    """One override per AWS provider block of the stack: the default one and each alias (which keeps its region)."""
    overrides = []
    for block in document.get("provider", {}).get("aws", []):
        alias = block.get("alias")
        if alias is None:
            overrides.append(provider_override(endpoint))
        else:
            overrides.append({"alias": alias, **provider_override(endpoint, region=None)})
    return overrides


def emulator_overrides(document: dict[str, Any], endpoint: str) -> dict[str, Any]:
    """Backend, providers and every `terraform_remote_state` reader of a stack, pointed at the emulator."""
    override: dict[str, Any] = {"provider": {"aws": providers_override(document, endpoint)}}
    if "backend" in document.get("terraform", {}) and "s3" in document["terraform"]["backend"]:
        override["terraform"] = {"backend": {"s3": emulator_backend(document, endpoint)}}
    readers = document.get("data", {}).get("terraform_remote_state", {})
    if readers:
        override["data"] = {
            "terraform_remote_state": {
                name: {"config": emulator_backend({"terraform": {"backend": {"s3": reader["config"]}}}, endpoint)}
                for name, reader in readers.items()
            }
        }
    return override


def write_overrides(stack: Path, endpoint: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Write the stack's `moto_override.tf.json` (plus `extra` top-level blocks); returns the stack's document."""
    document: dict[str, Any] = json.loads((stack / "cdk.tf.json").read_text())
    override = emulator_overrides(document, endpoint)
    for key, value in (extra or {}).items():
        override.setdefault(key, {}).update(value)
    (stack / OVERRIDE_FILE).write_text(json.dumps(override, indent=1))
    return document


def aws_call(endpoint: str, script: str, *args: str) -> Any:
    """Run a boto3 snippet in the tools venv against the emulator; `client(name, region=...)` is predefined and the
    snippet's `result` is returned (JSON)."""
    prelude = (
        "import json, sys\nimport boto3\n"
        "endpoint = sys.argv[1]\nargs = sys.argv[2:]\n"
        f"def client(name, region={REGION!r}):\n"
        "    return boto3.client(name, endpoint_url=endpoint, region_name=region, verify=False,\n"
        "                        aws_access_key_id='test', aws_secret_access_key='test')\n"
        "result = None\n"
    )
    completed = subprocess.run(
        [str(TOOLS_PYTHON), "-c", prelude + script + "\nprint(json.dumps(result, default=str))", endpoint, *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONWARNINGS": "ignore", "PATH": os.environ.get("PATH", "")},
    )
    if completed.returncode != 0:
        raise AssertionError(completed.stderr[-3000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


HEAD_OBJECT = """
head = client("s3").head_object(Bucket=args[0], Key=args[1])
kms_key_id = head.get("SSEKMSKeyId")
key_arn = client("kms").describe_key(KeyId=kms_key_id)["KeyMetadata"]["Arn"] if kms_key_id else None
result = {"ServerSideEncryption": head.get("ServerSideEncryption"), "KeyArn": key_arn}
"""


def object_encryption(endpoint: str, bucket: str, key: str) -> dict[str, str | None]:
    """`ServerSideEncryption` of an object in moto and the ARN of the KMS key it names (None without one): AWS
    reports the key ARN, moto echoes what the writer sent (here the alias), so the key is resolved through KMS."""
    encryption: dict[str, str | None] = aws_call(endpoint, HEAD_OBJECT, bucket, key)
    return encryption


IMPORT_CERTIFICATE = """
import datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, args[1])])
now = datetime.datetime.now(datetime.timezone.utc)
certificate = (
    x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
    .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
    .not_valid_after(now + datetime.timedelta(days=30))
    .add_extension(x509.SubjectAlternativeName([x509.DNSName(args[1])]), critical=False)
    .sign(key, hashes.SHA256())
)
result = client("acm", region=args[0]).import_certificate(
    Certificate=certificate.public_bytes(serialization.Encoding.PEM),
    PrivateKey=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                 serialization.NoEncryption()),
)["CertificateArn"]
"""


def import_certificate(endpoint: str, region: str, domain: str) -> str:
    """A self-signed certificate for `domain` imported into the emulator's ACM; returns its ARN."""
    arn: str = aws_call(endpoint, IMPORT_CERTIFICATE, region, domain)
    return arn
