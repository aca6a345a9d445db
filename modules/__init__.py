"""Reusable constructs, one architectural unit each. Importing this package makes provider imports cheap."""

from modules.provider_import import install as _install_provider_import

_install_provider_import()
