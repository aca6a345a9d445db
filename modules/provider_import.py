"""Import only the cdktf_cdktf_provider_aws submodules the platform uses.

The package's `__init__` eagerly imports all ~2,100 resource submodules (10-16 s, ~450 MB), yet every submodule
needs only the package's `_jsii` module (the assembly loader). `install()` registers a bare package object for
`cdktf_cdktf_provider_aws` whose `__path__` points at the real package, then loads `_jsii`; after that an ordinary
`from cdktf_cdktf_provider_aws.vpc import Vpc` imports just that submodule.

It fails loudly instead of drifting: the installed distribution must be the pinned version whose layout this was
written against, and it must still load its assembly through `_jsii`. The test suite proves that a synth through
this path is byte-identical to one through the eager import.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
import types

PACKAGE = "cdktf_cdktf_provider_aws"
DISTRIBUTION = "cdktf-cdktf-provider-aws"
EXPECTED_VERSION = "20.1.0"


class ProviderImportError(ImportError):
    """The provider package is not the one the lazy import was written for."""


def install() -> None:
    """Make `cdktf_cdktf_provider_aws.<submodule>` imports cheap; a no-op once the package is imported."""
    if PACKAGE in sys.modules:
        return
    version = importlib.metadata.version(DISTRIBUTION)
    if version != EXPECTED_VERSION:
        raise ProviderImportError(
            f"{DISTRIBUTION} {version} is installed but modules/provider_import.py was verified against "
            f"{EXPECTED_VERSION}; re-run the equivalence test (tests/test_provider_import.py) and update "
            f"EXPECTED_VERSION"
        )
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ProviderImportError(f"{PACKAGE} is not an importable package")
    package = types.ModuleType(PACKAGE, f"Lazily loaded {PACKAGE} (see modules/provider_import.py)")
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    package.__file__ = spec.origin
    package.__package__ = PACKAGE

    def load_submodule(name: str) -> types.ModuleType:
        if name.startswith("__"):
            raise AttributeError(name)
        return importlib.import_module(f"{PACKAGE}.{name}")

    package.__getattr__ = load_submodule  # type: ignore[method-assign]
    sys.modules[PACKAGE] = package
    try:
        jsii_module = importlib.import_module(f"{PACKAGE}._jsii")
    except BaseException:
        del sys.modules[PACKAGE]
        raise
    if not hasattr(jsii_module, "__jsii_assembly__"):
        del sys.modules[PACKAGE]
        raise ProviderImportError(f"{PACKAGE}._jsii no longer loads the jsii assembly; the lazy import is unsafe")
