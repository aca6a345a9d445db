"""Terraform stacks: provider, backend and composition of modules, one stack per environment plus bootstrap."""

import modules  # noqa: F401  (installs the cheap provider import before any stack imports the provider)
