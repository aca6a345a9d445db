"""The database module and its config: Aurora vs RDS, prod vs dev protection, monitoring, PI, IAM auth, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack, Testing
from pydantic import ValidationError

from config import ConfigError, PlatformConfig
from config.base import FieldError
from config.database import CATALOGUE_DATE, SUPPORTED_VERSIONS, DatabaseConfig
from modules.database import Database
from tests.conftest import Json, only, resources, synth_json
from tests.terraform import module_test_stack, synth_and_validate

KMS = "arn:aws:kms:ap-northeast-1:111122223333:key/00000000-0000-0000-0000-000000000000"
SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0cccccccccccccccc"]
SG = "sg-0123456789abcdef0"

PROD: dict[str, Any] = {
    "deletion_protection": True,
    "skip_final_snapshot": False,
    "copy_tags_to_snapshot": True,
    "backup_retention_days": 30,
}
DEV: dict[str, Any] = {
    "deletion_protection": False,
    "skip_final_snapshot": True,
    "copy_tags_to_snapshot": False,
    "backup_retention_days": 1,
}
RDS: dict[str, Any] = {"engine": "postgres", "engine_version": "17", "log_exports": ("postgresql", "upgrade")}


def database_json(config: DatabaseConfig, *, protected: bool = False) -> Json:
    app = Testing.app()
    stack = TerraformStack(app, "test")
    Database(
        stack,
        "database",
        name="acme-dev",
        config=config,
        subnet_ids=SUBNETS,
        security_group_id=SG,
        kms_key_arn=KMS,
        account_id="123456789012",
        partition="aws",
        protected=protected,
        tags={"Component": "database"},
    )
    return synth_json(stack)


def field_error(**values: Any) -> FieldError:
    """The FieldError a config raises (pydantic wraps it; the loader unwraps it the same way)."""
    with pytest.raises(ValidationError) as raised:
        DatabaseConfig(**values)
    error = raised.value.errors()[0]["ctx"]["error"]
    assert isinstance(error, FieldError)
    return error


def keys(value: object) -> set[str]:
    """Every object key anywhere in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys(item)}
    return set()


# --- engine choice -------------------------------------------------------------------------------------------------


def test_aurora_serverless_cluster_with_managed_secret() -> None:
    document = database_json(DatabaseConfig(min_capacity=0.5, max_capacity=4, engine_version="17.6"))
    cluster = only(document, "aws_rds_cluster")
    assert (cluster["engine"], cluster["engine_mode"], cluster["engine_version"]) == (
        "aurora-postgresql",
        "provisioned",
        "17.6",
    )
    assert cluster["serverlessv2_scaling_configuration"] == {"min_capacity": 0.5, "max_capacity": 4}
    assert cluster["manage_master_user_password"] is True and cluster["master_user_secret_kms_key_id"] == KMS
    assert cluster["storage_encrypted"] is True and cluster["kms_key_id"] == KMS
    assert cluster["vpc_security_group_ids"] == [SG] and cluster["cluster_identifier"] == "acme-dev-db"
    assert cluster["db_subnet_group_name"].startswith("${aws_db_subnet_group.")
    assert only(document, "aws_db_subnet_group")["subnet_ids"] == SUBNETS
    instance = only(document, "aws_rds_cluster_instance")
    assert instance["instance_class"] == "db.serverless" and instance["publicly_accessible"] is False
    assert instance["auto_minor_version_upgrade"] is True and "engine_version" not in instance
    assert resources(document, "aws_db_instance") == {}


def test_rds_instance_only_for_postgres() -> None:
    document = database_json(DatabaseConfig(**RDS, instance_class="db.t3.medium", multi_az=True))
    assert resources(document, "aws_rds_cluster") == {} and resources(document, "aws_rds_cluster_instance") == {}
    assert resources(document, "aws_rds_cluster_parameter_group") == {}
    instance = only(document, "aws_db_instance")
    assert (instance["engine"], instance["engine_version"], instance["instance_class"]) == (
        "postgres",
        "17",
        "db.t3.medium",
    )
    assert instance["multi_az"] is True and instance["publicly_accessible"] is False
    assert (instance["allocated_storage"], instance["max_allocated_storage"], instance["storage_type"]) == (
        20,
        100,
        "gp3",
    )
    assert instance["manage_master_user_password"] is True and instance["master_user_secret_kms_key_id"] == KMS
    assert instance["storage_encrypted"] is True and instance["kms_key_id"] == KMS
    assert instance["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
    assert instance["username"] == "dbadmin" and instance["db_name"] == "app"


def test_rds_single_az_and_fixed_storage() -> None:
    instance = only(
        database_json(DatabaseConfig(**RDS, multi_az=False, allocated_storage=50, max_allocated_storage=50)),
        "aws_db_instance",
    )
    assert instance["multi_az"] is False
    assert (instance["allocated_storage"], instance["max_allocated_storage"]) == (50, 0)


def test_instance_count_adds_readers() -> None:
    one = database_json(DatabaseConfig(instance_count=1))
    two = database_json(DatabaseConfig(instance_count=2))
    assert len(resources(one, "aws_rds_cluster_instance")) == 1
    instances = resources(two, "aws_rds_cluster_instance")
    assert sorted(instance["identifier"] for instance in instances.values()) == ["acme-dev-db-1", "acme-dev-db-2"]
    assert all(instance["cluster_identifier"].startswith("${aws_rds_cluster.") for instance in instances.values())


def test_no_password_anywhere_in_the_json() -> None:
    for config in (DatabaseConfig(), DatabaseConfig(**RDS)):
        document = database_json(config)
        assert not keys(document) & {"password", "master_password", "master_password_wo", "password_wo"}
        # the only key naming a password is the switch that hands the password to RDS
        assert {key for key in keys(document) if "password" in key} == {"manage_master_user_password"}


# --- parameter groups ----------------------------------------------------------------------------------------------


def parameters(group: Json) -> dict[str, tuple[str, str]]:
    return {item["name"]: (item["value"], item["apply_method"]) for item in group["parameter"]}


def test_aurora_cluster_and_instance_parameter_groups() -> None:
    document = database_json(DatabaseConfig(engine_version="16.9", log_min_duration_statement_ms=500))
    cluster_group = only(document, "aws_rds_cluster_parameter_group")
    instance_group = only(document, "aws_db_parameter_group")
    assert cluster_group["family"] == instance_group["family"] == "aurora-postgresql16"
    assert parameters(cluster_group) == {
        "log_min_duration_statement": ("500", "immediate"),
        "log_statement": ("ddl", "immediate"),
        "rds.force_ssl": ("1", "immediate"),
        "log_connections": ("0", "immediate"),
        "log_disconnections": ("0", "immediate"),
    }
    assert parameters(instance_group) == {"shared_preload_libraries": ("pg_stat_statements", "pending-reboot")}
    assert cluster_group["lifecycle"] == {"create_before_destroy": True}
    assert only(document, "aws_rds_cluster")["db_cluster_parameter_group_name"].startswith(
        "${aws_rds_cluster_parameter_group."
    )
    assert only(document, "aws_rds_cluster_instance")["db_parameter_group_name"].startswith("${aws_db_parameter_group.")


@pytest.mark.parametrize(
    ("engine", "group_type"), [({}, "aws_rds_cluster_parameter_group"), (RDS, "aws_db_parameter_group")]
)
def test_tls_can_be_made_optional(engine: dict[str, Any], group_type: str) -> None:
    group = only(database_json(DatabaseConfig(**engine, force_ssl=False)), group_type)
    assert parameters(group)["rds.force_ssl"] == ("0", "immediate")


@pytest.mark.parametrize(
    ("engine", "group_type"), [({}, "aws_rds_cluster_parameter_group"), (RDS, "aws_db_parameter_group")]
)
def test_connection_logging_follows_the_switch(engine: dict[str, Any], group_type: str) -> None:
    on = parameters(only(database_json(DatabaseConfig(**engine, log_connections=True)), group_type))
    assert (on["log_connections"], on["log_disconnections"]) == (("1", "immediate"), ("1", "immediate"))
    off = parameters(only(database_json(DatabaseConfig(**engine)), group_type))
    assert (off["log_connections"], off["log_disconnections"]) == (("0", "immediate"), ("0", "immediate"))


def test_rds_parameter_group_holds_every_parameter() -> None:
    document = database_json(DatabaseConfig(**RDS))
    group = only(document, "aws_db_parameter_group")
    assert group["family"] == "postgres17"
    assert parameters(group) == {
        "log_min_duration_statement": ("1000", "immediate"),
        "log_statement": ("ddl", "immediate"),
        "rds.force_ssl": ("1", "immediate"),
        "log_connections": ("0", "immediate"),
        "log_disconnections": ("0", "immediate"),
        "shared_preload_libraries": ("pg_stat_statements", "pending-reboot"),
    }
    assert only(document, "aws_db_instance")["parameter_group_name"].startswith("${aws_db_parameter_group.")


# --- protection: prod vs dev ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("engine", "resource_type"), [({}, "aws_rds_cluster"), (RDS, "aws_db_instance")])
def test_prod_is_protected(engine: dict[str, Any], resource_type: str) -> None:
    document = database_json(DatabaseConfig(**engine, **PROD), protected=True)
    database = only(document, resource_type)
    assert database["deletion_protection"] is True
    assert database["skip_final_snapshot"] is False
    assert database["copy_tags_to_snapshot"] is True
    assert database["backup_retention_period"] == 30
    assert database["lifecycle"] == {"prevent_destroy": True, "ignore_changes": ["engine_version"]}


def test_only_the_cluster_holds_the_data_so_only_it_is_kept() -> None:
    document = database_json(DatabaseConfig(instance_count=2, **PROD), protected=True)
    # Aurora instances are compute: removing a reader or replacing an instance loses no data.
    assert all("lifecycle" not in instance for instance in resources(document, "aws_rds_cluster_instance").values())


@pytest.mark.parametrize(("engine", "resource_type"), [({}, "aws_rds_cluster"), (RDS, "aws_db_instance")])
def test_dev_is_disposable(engine: dict[str, Any], resource_type: str) -> None:
    database = only(database_json(DatabaseConfig(**engine, **DEV)), resource_type)
    assert database["deletion_protection"] is False
    assert database["skip_final_snapshot"] is True
    assert database["copy_tags_to_snapshot"] is False
    assert database["backup_retention_period"] == 1
    assert database["lifecycle"] == {"ignore_changes": ["engine_version"]}  # no prevent_destroy


@pytest.mark.parametrize(
    ("engine", "resource_type", "kind"),
    [({}, "aws_rds_cluster", "cluster"), (RDS, "aws_db_instance", "instance")],
)
@pytest.mark.parametrize("protection", [PROD, DEV])
def test_final_snapshot_name_is_fixed_per_creation(
    engine: dict[str, Any], resource_type: str, kind: str, protection: dict[str, Any]
) -> None:
    """A fixed name fails the second destroy (DBFinalSnapshotAlreadyExists); this one is stamped at creation."""
    document = database_json(DatabaseConfig(**engine, **protection))
    holder_id, holder = next(iter(resources(document, "terraform_data").items()))
    # set even when skipped, so turning final snapshots on later is an in-place change of the name only
    assert only(document, resource_type)["final_snapshot_identifier"] == f"${{terraform_data.{holder_id}.output.name}}"
    assert holder["input"] == {"name": 'acme-dev-db-final-${formatdate("YYYYMMDDhhmmss", plantimestamp())}'}
    assert holder["lifecycle"] == {"ignore_changes": ["input"]}  # no diff on later plans
    # a new name whenever the database itself would be replaced
    assert holder["triggers_replace"] == {
        "identifier": "acme-dev-db",
        "kind": kind,
        "database_name": "app",
        "master_username": "dbadmin",
        "kms_key": KMS,
    }


# --- versions ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("engine", "resource_type"), [({}, "aws_rds_cluster"), (RDS, "aws_db_instance")])
def test_minor_upgrades_by_aws_are_not_reverted(engine: dict[str, Any], resource_type: str) -> None:
    """AWS patches minors; a pinned minor in state would make the next apply try a downgrade."""
    document = database_json(DatabaseConfig(**engine))
    assert "engine_version" in only(document, resource_type)["lifecycle"]["ignore_changes"]
    for instance in [
        *resources(document, "aws_rds_cluster_instance").values(),
        *resources(document, "aws_db_instance").values(),
    ]:
        assert instance["auto_minor_version_upgrade"] is True
    for instance in resources(document, "aws_rds_cluster_instance").values():
        assert "engine_version" not in instance  # follows the cluster


def test_retired_version_is_refused_with_the_catalogue_date() -> None:
    error = field_error(engine_version="15.4")  # seed 000: retired, fails at create
    assert error.key == "engine_version"
    assert f"'15.4' is not offered by aurora-postgresql for new databases as of {CATALOGUE_DATE}" in error.message
    assert "available: 15.13, 15.14, 16.9, 16.10, 17.5, 17.6, 17.7" in error.message
    rds_error = field_error(engine="postgres", engine_version="16.6")  # retired by RDS on 2026-05-31
    assert "postgres" in rds_error.message and "16.11" in rds_error.message


def test_reference_versions_are_in_the_catalogue(reference_config: PlatformConfig) -> None:
    for environment in reference_config.environments:
        database = environment.database
        assert database.engine_version in SUPPORTED_VERSIONS[database.engine]
    assert DatabaseConfig().engine_version in SUPPORTED_VERSIONS["aurora-postgresql"]


# --- log groups ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "resource_type", "kind"),
    [
        ({"log_exports": ("postgresql", "instance")}, "aws_rds_cluster", "cluster"),
        ({**RDS, "log_exports": ("postgresql", "upgrade")}, "aws_db_instance", "instance"),
    ],
)
def test_log_exports_go_to_managed_encrypted_groups(engine: dict[str, Any], resource_type: str, kind: str) -> None:
    document = database_json(DatabaseConfig(**engine, log_retention_days=90))
    groups = resources(document, "aws_cloudwatch_log_group")
    second = engine["log_exports"][1]
    assert sorted(group["name"] for group in groups.values()) == sorted(
        [f"/aws/rds/{kind}/acme-dev-db/postgresql", f"/aws/rds/{kind}/acme-dev-db/{second}"]
    )
    assert all(group["kms_key_id"] == KMS and group["retention_in_days"] == 90 for group in groups.values())
    # the groups exist before RDS starts exporting (it would create them unencrypted, never expiring)
    assert sorted(only(document, resource_type)["depends_on"]) == sorted(
        f"aws_cloudwatch_log_group.{group_id}" for group_id in groups
    )


def test_no_log_exports_no_log_groups() -> None:
    document = database_json(DatabaseConfig(log_exports=()))
    assert resources(document, "aws_cloudwatch_log_group") == {}


def test_log_retention_must_be_a_cloudwatch_value() -> None:
    error = field_error(log_retention_days=45)
    assert error.key == "log_retention_days" and "45 is not a CloudWatch Logs retention period" in error.message


def test_backup_and_maintenance_windows() -> None:
    cluster = only(database_json(DatabaseConfig()), "aws_rds_cluster")
    assert cluster["preferred_backup_window"] == "03:00-04:00"
    assert cluster["preferred_maintenance_window"] == "sun:04:00-sun:05:00"
    instance = only(database_json(DatabaseConfig(**RDS, backup_window="18:00-18:30")), "aws_db_instance")
    assert (instance["backup_window"], instance["maintenance_window"]) == ("18:00-18:30", "sun:04:00-sun:05:00")


# --- monitoring, Performance Insights, IAM auth, log exports -------------------------------------------------------


def test_enhanced_monitoring_with_its_role() -> None:
    document = database_json(DatabaseConfig(monitoring_interval=60))
    role = only(document, "aws_iam_role")
    (assume,) = document["data"]["aws_iam_policy_document"].values()
    assert assume["statement"][0]["principals"] == [
        {"identifiers": ["monitoring.rds.amazonaws.com"], "type": "Service"}
    ]
    attachment = only(document, "aws_iam_role_policy_attachment")
    assert attachment["policy_arn"].endswith(":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")
    assert role["name"] == "acme-dev-rds-monitoring"
    instance = only(document, "aws_rds_cluster_instance")
    assert instance["monitoring_interval"] == 60 and instance["monitoring_role_arn"].startswith("${aws_iam_role.")


@pytest.mark.parametrize(("engine", "resource_type"), [({}, "aws_rds_cluster_instance"), (RDS, "aws_db_instance")])
def test_monitoring_off_has_no_role(engine: dict[str, Any], resource_type: str) -> None:
    document = database_json(DatabaseConfig(**engine, monitoring_interval=0))
    assert resources(document, "aws_iam_role") == {} and resources(document, "aws_iam_role_policy_attachment") == {}
    database = only(document, resource_type)
    assert database["monitoring_interval"] == 0 and "monitoring_role_arn" not in database


@pytest.mark.parametrize(("engine", "resource_type"), [({}, "aws_rds_cluster_instance"), (RDS, "aws_db_instance")])
def test_performance_insights_on_with_the_key(engine: dict[str, Any], resource_type: str) -> None:
    database = only(database_json(DatabaseConfig(**engine, performance_insights=True)), resource_type)
    assert database["performance_insights_enabled"] is True
    assert database["performance_insights_kms_key_id"] == KMS
    assert database["performance_insights_retention_period"] == 7


@pytest.mark.parametrize(("engine", "resource_type"), [({}, "aws_rds_cluster_instance"), (RDS, "aws_db_instance")])
def test_performance_insights_off(engine: dict[str, Any], resource_type: str) -> None:
    database = only(database_json(DatabaseConfig(**engine, performance_insights=False)), resource_type)
    assert database["performance_insights_enabled"] is False
    assert "performance_insights_kms_key_id" not in database
    assert "performance_insights_retention_period" not in database


@pytest.mark.parametrize(("engine", "resource_type"), [({}, "aws_rds_cluster"), (RDS, "aws_db_instance")])
@pytest.mark.parametrize("iam_auth", [True, False])
def test_iam_auth_toggle(engine: dict[str, Any], resource_type: str, iam_auth: bool) -> None:
    database = only(database_json(DatabaseConfig(**engine, iam_auth=iam_auth)), resource_type)
    assert database["iam_database_authentication_enabled"] is iam_auth


def test_log_exports() -> None:
    cluster = only(database_json(DatabaseConfig(log_exports=("postgresql", "instance"))), "aws_rds_cluster")
    assert cluster["enabled_cloudwatch_logs_exports"] == ["postgresql", "instance"]
    none = only(database_json(DatabaseConfig(log_exports=())), "aws_rds_cluster")
    assert none["enabled_cloudwatch_logs_exports"] == []


# --- config errors -------------------------------------------------------------------------------------------------


def test_acu_min_above_max() -> None:
    error = field_error(min_capacity=4, max_capacity=2)
    assert error.key == "min_capacity" and "min_capacity (4" in error.message and "max_capacity (2" in error.message


def test_acu_in_half_steps() -> None:
    error = field_error(max_capacity=1.25)
    assert error.key == "max_capacity" and "0.5" in error.message


def test_unsupported_version_lists_the_allowed_ones() -> None:
    error = field_error(engine_version="14.9")
    assert error.key == "engine_version"
    assert "'14.9'" in error.message and "aurora-postgresql" in error.message
    assert "16.10" in error.message and "17.6" in error.message
    rds_error = field_error(engine="postgres", engine_version="17.99")
    assert "postgres for new databases" in rds_error.message and "17.6" in rds_error.message


def test_storage_min_above_max() -> None:
    error = field_error(engine="postgres", allocated_storage=200, max_allocated_storage=100)
    assert error.key == "allocated_storage" and "(200)" in error.message and "(100)" in error.message


def test_log_export_must_fit_the_engine() -> None:
    error = field_error(log_exports=("postgresql", "upgrade"))
    assert error.key == "log_exports[1]" and "'upgrade'" in error.message and "instance" in error.message


def test_engine_specific_fields_rejected_for_the_other_engine() -> None:
    aurora_error = field_error(multi_az=True)
    assert aurora_error.key == "multi_az" and "'postgres'" in aurora_error.message
    rds_error = field_error(engine="postgres", min_capacity=1)
    assert rds_error.key == "min_capacity" and "'aurora-postgresql'" in rds_error.message


def test_windows_must_not_overlap_and_last_30_minutes() -> None:
    overlap = field_error(backup_window="03:00-04:00", maintenance_window="tue:03:30-tue:04:30")
    assert overlap.key == "maintenance_window" and "overlaps backup_window" in overlap.message
    short = field_error(backup_window="03:00-03:15")
    assert short.key == "backup_window" and "30 minutes" in short.message
    # a window across midnight overlaps a maintenance window early the next day
    wrapped = field_error(backup_window="23:30-00:30", maintenance_window="mon:00:00-mon:01:00")
    assert wrapped.key == "maintenance_window"


def test_performance_insights_retention_values() -> None:
    assert DatabaseConfig(performance_insights_retention_days=93).performance_insights_retention_days == 93
    error = field_error(performance_insights_retention_days=30)
    assert error.key == "performance_insights_retention_days" and "multiple of 31" in error.message


def test_reference_shapes_are_valid() -> None:
    aurora = DatabaseConfig(engine_version="17.6", min_capacity=0.5, max_capacity=4, instance_count=2)
    assert aurora.parameter_group_family == "aurora-postgresql17" and aurora.is_aurora
    rds = DatabaseConfig(engine="postgres", engine_version="17", instance_class="db.t3.small", multi_az=True)
    assert rds.parameter_group_family == "postgres17" and not rds.is_aurora


def test_errors_name_the_environment_and_key(config_with: Callable[[Json], PlatformConfig]) -> None:
    with pytest.raises(ConfigError) as raised:
        config_with({"environments": {"prod": {"database": {"enabled": True, "min_capacity": 4, "max_capacity": 2}}}})
    assert "environments.prod.database.min_capacity" in str(raised.value)
    assert "min_capacity (4) is greater than max_capacity (2)" in str(raised.value)


# --- Terraform -----------------------------------------------------------------------------------------------------


def test_database_module_validates_with_terraform(tmp_path: Path, terraform_env: dict[str, str]) -> None:
    app, stack = module_test_stack(tmp_path)
    Database(
        stack,
        "aurora",
        name="acme-prod",
        config=DatabaseConfig(engine_version="17.6", max_capacity=4, instance_count=2, **PROD),
        subnet_ids=SUBNETS,
        security_group_id=SG,
        kms_key_arn=KMS,
        account_id="123456789012",
        partition="aws",
    )
    Database(
        stack,
        "rds",
        name="acme-dev",
        config=DatabaseConfig(**RDS, **DEV, monitoring_interval=0, performance_insights=False),
        subnet_ids=SUBNETS,
        security_group_id=SG,
        kms_key_arn=KMS,
        account_id="123456789012",
        partition="aws",
    )
    synth_and_validate(app, "module", tmp_path, terraform_env)


def test_retired_version_is_a_config_error_naming_the_key(config_with: Callable[[Json], PlatformConfig]) -> None:
    with pytest.raises(ConfigError) as raised:
        config_with({"environments": {"prod": {"database": {"engine_version": "15.4"}}}})
    (problem,) = raised.value.problems
    assert str(problem).startswith(
        "test.toml [prod] environments.prod.database.engine_version: '15.4' is not offered by aurora-postgresql "
        f"for new databases as of {CATALOGUE_DATE}"
    )
