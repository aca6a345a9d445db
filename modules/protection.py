"""Lifecycle of stateful resources: `prevent_destroy` in protected environments, and per-creation snapshot names.

Every resource that holds data the platform cannot recreate (the database, Redis, the CMK that encrypts them and
their snapshots, and data buckets) takes `lifecycle=stateful(protected=...)`. With `prevent_destroy`, Terraform
refuses any plan that would delete or replace the resource, so a careless `destroy`, a rename or a
replacement-forcing change stops at plan time, before AWS is asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cdktf import DataResource, Fn, TerraformResourceLifecycle
from constructs import Construct


def stateful(*, protected: bool, ignore_changes: Sequence[str] = ()) -> TerraformResourceLifecycle | None:
    """The lifecycle block of a stateful resource: `prevent_destroy` when protected, plus any ignored attributes."""
    if not protected and not ignore_changes:
        return None
    return TerraformResourceLifecycle(
        prevent_destroy=True if protected else None,
        ignore_changes=list(ignore_changes) or None,
    )


def final_snapshot_name(scope: Construct, id_: str, *, prefix: str, replace_on: Mapping[str, str]) -> str:
    """A final-snapshot name fixed when the resource is created and new for every creation.

    A fixed name such as `acme-prod-db-final` works once: the second destroy of a recreated database fails with
    DBFinalSnapshotAlreadyExists. The name here is `{prefix}-{yyyymmddhhmmss}` of the plan that creates it, held
    by a `terraform_data` resource (built into Terraform, no provider) whose `input` is ignored after creation, so
    later plans show no diff. It is replaced, with a fresh name, whenever `replace_on` changes: pass the
    attributes that force the owning resource to be replaced (its identifier, engine, ...), so a replaced database
    gets a new name too. Destroying the whole stack destroys this resource with it, so a recreated environment
    starts with a new name.
    """
    stamp = Fn.formatdate("YYYYMMDDhhmmss", Fn.plantimestamp())
    holder = DataResource(
        scope,
        id_,
        input={"name": f"{prefix}-{stamp}"},
        triggers_replace=dict(replace_on),
        lifecycle=TerraformResourceLifecycle(ignore_changes=["input"]),
    )
    return holder.get_string_attribute("output.name")
