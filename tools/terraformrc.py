"""Write a Terraform CLI config that installs hashicorp providers from a local filesystem mirror.

Used by `make` (project-local .terraformrc) and by the test suite. Without a mirror nothing is written and
Terraform uses the public registry as usual.
"""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_MIRROR = Path("/opt/tf-plugins")


def terraformrc_text(mirror: Path) -> str:
    """CLI config: hashicorp/* from `mirror`, everything else from the registry."""
    return f"""provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/*"]
  }}
}}
"""


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path(".terraformrc")
    mirror = Path(argv[2]) if len(argv) > 2 else DEFAULT_MIRROR
    if not mirror.is_dir():
        target.unlink(missing_ok=True)
        print(f"no provider mirror at {mirror}: Terraform will use the public registry")
        return 0
    target.write_text(terraformrc_text(mirror))
    print(f"wrote {target} (providers from {mirror})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
