"""The first deploy package of a Lambda function: a tiny handler that answers 503 until CI deploys the real code.

Lambda cannot create a function without code, and the application's code is built by its own CI, not here. So
each function starts from this package (uploaded by Terraform to the artifacts bucket) and CI replaces the code
with `aws lambda update-function-code`; the function ignores code changes afterwards, so an apply never rolls CI's
deploy back. The zip is built in memory with fixed timestamps and modes, so synthesis stays byte-identical.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile

NOT_DEPLOYED_STATUS = 503


def _source(runtime: str, export: str, function: str) -> tuple[str, str]:
    """(file suffix, source) of a handler named `export` for the runtime family."""
    body = json.dumps({"message": f"function {function} has no code deployed yet"})
    if runtime.startswith("nodejs"):
        return ".mjs", (
            f"export const {export} = async () => ({{\n"
            f"  statusCode: {NOT_DEPLOYED_STATUS},\n"
            '  headers: { "content-type": "application/json" },\n'
            f"  body: {json.dumps(body)},\n"
            "});\n"
        )
    if runtime.startswith("python"):
        return ".py", (
            f"def {export}(event, context):\n"
            f"    return {{\n"
            f'        "statusCode": {NOT_DEPLOYED_STATUS},\n'
            '        "headers": {"content-type": "application/json"},\n'
            f'        "body": {json.dumps(body)},\n'
            "    }\n"
        )
    raise ValueError(f"no first deploy package for runtime {runtime!r}")


def bootstrap_package(*, runtime: str, handler: str, function: str) -> bytes:
    """The zip of a handler at `handler` (`<file>.<export>`) that answers HTTP 503 for `function`."""
    module, _, export = handler.rpartition(".")
    suffix, source = _source(runtime, export, function)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo(f"{module}{suffix}", date_time=(1980, 1, 1, 0, 0, 0))
        entry.external_attr = 0o644 << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, source)
    return buffer.getvalue()


def bootstrap_package_base64(*, runtime: str, handler: str, function: str) -> str:
    """`bootstrap_package` as base64, for an S3 object's `content_base64`."""
    return base64.b64encode(bootstrap_package(runtime=runtime, handler=handler, function=function)).decode()
