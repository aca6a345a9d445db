"""PostgreSQL on RDS: an Aurora Serverless v2 cluster or a DB instance, with an RDS-managed master secret."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.rds_cluster import RdsCluster, RdsClusterServerlessv2ScalingConfiguration
from cdktf_cdktf_provider_aws.rds_cluster_instance import RdsClusterInstance
from cdktf_cdktf_provider_aws.rds_cluster_parameter_group import (
    RdsClusterParameterGroup,
    RdsClusterParameterGroupParameter,
)
from constructs import Construct

from config.database import DatabaseConfig
from modules.iam import service_trust_policy
from modules.protection import final_snapshot_name, stateful


class Database(Construct):
    """PostgreSQL for the platform: Aurora Serverless v2 (`aurora-postgresql`) or an RDS instance (`postgres`).

    No password is ever synthesized: RDS generates the master password and keeps it in a Secrets Manager secret
    encrypted with the platform key (`manage_master_user_password`); `master_secret_arn` is that secret, whose
    JSON holds `username` and `password`. Storage and Performance Insights are encrypted with the same key.

    The parameter groups are named after their family and replaced before they are destroyed, so a major version
    upgrade creates the new family's groups first.

    Versions: `engine_version` is the version the database is created with. AWS applies minor upgrades in the
    maintenance window (`auto_minor_version_upgrade` on every instance) and Terraform ignores `engine_version`
    afterwards (`lifecycle.ignore_changes`), so a patched database never makes the next apply attempt a downgrade
    ("Cannot upgrade aurora-postgresql from X to Y"). Cluster instances do not set a version; they follow the
    cluster. A major upgrade is an operation, not a config edit Terraform carries out (the ignored version would
    leave the engine at the old major while the parameter groups move to the new family): (1) upgrade with
    `aws rds modify-db-cluster --db-cluster-identifier <id> --engine-version <new> --allow-major-version-upgrade
    --db-cluster-parameter-group-name default.aurora-postgresql<major> --db-instance-parameter-group-name
    default.aurora-postgresql<major> --apply-immediately` (RDS instance: `modify-db-instance ...
    --db-parameter-group-name default.postgres<major>`), or through an RDS blue/green deployment; (2) set
    `engine_version` to the new version and apply: this family's parameter groups are created and attached,
    the old ones deleted.

    Protection: with `protected`, the cluster (Aurora: it owns the storage; its instances are compute and may be
    removed or replaced) or the DB instance carries `prevent_destroy`. The final snapshot (taken unless
    `skip_final_snapshot`) is named `{name}-db-final-<creation timestamp>`, a name fixed per creation (see
    modules.protection.final_snapshot_name), so destroy/recreate cycles never collide.

    Logs: the log groups RDS exports to (`/aws/rds/cluster/<id>/<log>` or `/aws/rds/instance/<id>/<log>`) are
    created here first, encrypted with the platform key and kept `log_retention_days`; RDS would otherwise create
    them unencrypted with no expiry. An existing database's groups must be imported once
    (`terraform import aws_cloudwatch_log_group.<id> /aws/rds/...`).

    Outputs: `endpoint` (writer host name), `reader_endpoint` (Aurora's load-balanced reader host name; for an RDS
    instance, which has no readers, the same host as `endpoint` so clients can always read from it), `port`,
    `master_secret_arn`, `database_name`, `identifier` (cluster or instance identifier, the CloudWatch dimension)
    `instance_identifiers` (every DB instance, writer first), `arn` and `monitoring_role_arn` (None when enhanced
    monitoring is off).
    """

    endpoint: str
    reader_endpoint: str
    master_secret_arn: str
    identifier: str
    arn: str
    instance_identifiers: list[str]

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        config: DatabaseConfig,
        subnet_ids: Sequence[str],
        security_group_id: str,
        kms_key_arn: str,
        account_id: str,
        partition: str,
        protected: bool = False,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        self._account_id = account_id
        self._partition = partition
        self._protected = protected
        self._name = name
        self._config = config
        self._kms_key_arn = kms_key_arn
        self._tags = tags
        self.database_name = config.database_name
        self.port = config.port

        subnet_group = DbSubnetGroup(
            self,
            "subnet_group",
            name=f"{name}-db",
            description=f"Database subnets of {name}",
            subnet_ids=list(subnet_ids),
            tags={"Name": f"{name}-db", **tags},
        )
        self.subnet_group_name = subnet_group.name

        self.monitoring_role_arn = self._monitoring_role() if config.monitoring_interval > 0 else None
        if config.is_aurora:
            self._aurora(subnet_group.name, security_group_id, self.monitoring_role_arn)
        else:
            self._instance(subnet_group.name, security_group_id, self.monitoring_role_arn)

    def _cluster_parameters(self) -> list[tuple[str, str, str]]:
        """(name, value, apply method) of the query-logging and TLS parameters (cluster-wide on Aurora)."""
        return [
            ("log_min_duration_statement", str(self._config.log_min_duration_statement_ms), "immediate"),
            ("log_statement", self._config.log_statement, "immediate"),
            ("rds.force_ssl", "1" if self._config.force_ssl else "0", "immediate"),
            # Written both ways, so turning it off sets 0 instead of relying on the removed parameter being reset.
            ("log_connections", "1" if self._config.log_connections else "0", "immediate"),
            ("log_disconnections", "1" if self._config.log_connections else "0", "immediate"),
        ]

    def _instance_parameters(self) -> list[tuple[str, str, str]]:
        # Static parameter: takes effect at the next reboot, which RDS only does in the maintenance window.
        return [("shared_preload_libraries", "pg_stat_statements", "pending-reboot")]

    def _final_snapshot(self, kind: str) -> str:
        """The per-creation final-snapshot name; set even when skipped, so turning snapshots on needs no migration."""
        config = self._config
        return final_snapshot_name(
            self,
            "final_snapshot_name",
            prefix=f"{self._name}-db-final",
            replace_on={
                "identifier": f"{self._name}-db",
                "kind": kind,
                "database_name": config.database_name,
                "master_username": config.master_username,
                "kms_key": self._kms_key_arn,
            },
        )

    def _log_groups(self, kind: str) -> list[CloudwatchLogGroup]:
        """The groups RDS exports `log_exports` to, created before the database so RDS finds them."""
        return [
            CloudwatchLogGroup(
                self,
                f"log_{log.replace('-', '_')}",
                name=f"/aws/rds/{kind}/{self._name}-db/{log}",
                retention_in_days=self._config.log_retention_days,
                kms_key_id=self._kms_key_arn,
                tags=self._tags,
            )
            for log in self._config.log_exports
        ]

    def _aurora(self, subnet_group_name: str, security_group_id: str, monitoring_role_arn: str | None) -> None:
        config, name, tags = self._config, self._name, self._tags
        family = config.parameter_group_family
        cluster_parameters = RdsClusterParameterGroup(
            self,
            "cluster_parameters",
            name=f"{name}-db-cluster-{family}",
            family=family,
            description=f"Cluster parameters of {name} ({family})",
            parameter=[
                RdsClusterParameterGroupParameter(name=key, value=value, apply_method=method)
                for key, value, method in self._cluster_parameters()
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            tags=tags,
        )
        instance_parameters = DbParameterGroup(
            self,
            "instance_parameters",
            name=f"{name}-db-{family}",
            family=family,
            description=f"Instance parameters of {name} ({family})",
            parameter=[
                DbParameterGroupParameter(name=key, value=value, apply_method=method)
                for key, value, method in self._instance_parameters()
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            tags=tags,
        )
        cluster = RdsCluster(
            self,
            "cluster",
            cluster_identifier=f"{name}-db",
            engine=config.engine,
            engine_mode="provisioned",
            engine_version=config.engine_version,
            database_name=config.database_name,
            master_username=config.master_username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self._kms_key_arn,
            port=config.port,
            db_subnet_group_name=subnet_group_name,
            vpc_security_group_ids=[security_group_id],
            db_cluster_parameter_group_name=cluster_parameters.name,
            serverlessv2_scaling_configuration=RdsClusterServerlessv2ScalingConfiguration(
                min_capacity=config.min_capacity, max_capacity=config.max_capacity
            ),
            storage_encrypted=True,
            kms_key_id=self._kms_key_arn,
            backup_retention_period=config.backup_retention_days,
            preferred_backup_window=config.backup_window,
            preferred_maintenance_window=config.maintenance_window,
            enabled_cloudwatch_logs_exports=list(config.log_exports),
            iam_database_authentication_enabled=config.iam_auth,
            deletion_protection=config.deletion_protection,
            skip_final_snapshot=config.skip_final_snapshot,
            final_snapshot_identifier=self._final_snapshot("cluster"),
            copy_tags_to_snapshot=config.copy_tags_to_snapshot,
            depends_on=self._log_groups("cluster"),
            lifecycle=stateful(protected=self._protected, ignore_changes=["engine_version"]),
            tags={"Name": f"{name}-db", **tags},
        )
        instances = [
            RdsClusterInstance(
                self,
                f"instance_{number}",
                identifier=f"{name}-db-{number}",
                cluster_identifier=cluster.id,
                engine=config.engine,
                instance_class="db.serverless",
                db_parameter_group_name=instance_parameters.name,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
                preferred_maintenance_window=config.maintenance_window,
                performance_insights_enabled=config.performance_insights,
                performance_insights_kms_key_id=self._kms_key_arn if config.performance_insights else None,
                performance_insights_retention_period=(
                    config.performance_insights_retention_days if config.performance_insights else None
                ),
                monitoring_interval=config.monitoring_interval,
                monitoring_role_arn=monitoring_role_arn,
                copy_tags_to_snapshot=config.copy_tags_to_snapshot,
                tags={"Name": f"{name}-db-{number}", **tags},
            )
            for number in range(1, config.instance_count + 1)
        ]
        self.endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint
        self.master_secret_arn = cluster.master_user_secret.get(0).secret_arn
        self.identifier = cluster.cluster_identifier
        self.arn = cluster.arn
        self.instance_identifiers = [instance.identifier for instance in instances]

    def _instance(self, subnet_group_name: str, security_group_id: str, monitoring_role_arn: str | None) -> None:
        config, name, tags = self._config, self._name, self._tags
        family = config.parameter_group_family
        parameters = DbParameterGroup(
            self,
            "parameters",
            name=f"{name}-db-{family}",
            family=family,
            description=f"Parameters of {name} ({family})",
            parameter=[
                DbParameterGroupParameter(name=key, value=value, apply_method=method)
                for key, value, method in [*self._cluster_parameters(), *self._instance_parameters()]
            ],
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            tags=tags,
        )
        instance = DbInstance(
            self,
            "instance",
            identifier=f"{name}-db",
            engine=config.engine,
            engine_version=config.engine_version,
            instance_class=config.instance_class,
            allocated_storage=config.allocated_storage,
            # Equal sizes mean no autoscaling; RDS wants 0 (unset) rather than max == allocated.
            max_allocated_storage=(
                config.max_allocated_storage if config.max_allocated_storage > config.allocated_storage else 0
            ),
            storage_type=config.storage_type,
            storage_encrypted=True,
            kms_key_id=self._kms_key_arn,
            db_name=config.database_name,
            username=config.master_username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self._kms_key_arn,
            port=config.port,
            db_subnet_group_name=subnet_group_name,
            vpc_security_group_ids=[security_group_id],
            parameter_group_name=parameters.name,
            multi_az=config.multi_az,
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
            backup_retention_period=config.backup_retention_days,
            backup_window=config.backup_window,
            maintenance_window=config.maintenance_window,
            performance_insights_enabled=config.performance_insights,
            performance_insights_kms_key_id=self._kms_key_arn if config.performance_insights else None,
            performance_insights_retention_period=(
                config.performance_insights_retention_days if config.performance_insights else None
            ),
            monitoring_interval=config.monitoring_interval,
            monitoring_role_arn=monitoring_role_arn,
            enabled_cloudwatch_logs_exports=list(config.log_exports),
            iam_database_authentication_enabled=config.iam_auth,
            deletion_protection=config.deletion_protection,
            skip_final_snapshot=config.skip_final_snapshot,
            final_snapshot_identifier=self._final_snapshot("instance"),
            copy_tags_to_snapshot=config.copy_tags_to_snapshot,
            depends_on=self._log_groups("instance"),
            lifecycle=stateful(protected=self._protected, ignore_changes=["engine_version"]),
            tags={"Name": f"{name}-db", **tags},
        )
        self.endpoint = instance.address
        self.reader_endpoint = instance.address
        self.master_secret_arn = instance.master_user_secret.get(0).secret_arn
        self.identifier = instance.identifier
        self.arn = instance.arn
        self.instance_identifiers = [instance.identifier]

    def _monitoring_role(self) -> str:
        """The role RDS enhanced monitoring assumes to publish OS metrics to CloudWatch Logs."""
        # RDS documents aws:SourceArn only as an RDS resource ARN; which one (instance or cluster) Enhanced
        # Monitoring passes for Aurora is not documented, so the account is the guard.
        assume_policy = service_trust_policy(
            self,
            "monitoring_assume",
            service="monitoring.rds.amazonaws.com",
            account_id=self._account_id,
        )
        role = IamRole(
            self,
            "monitoring_role",
            name=f"{self._name}-rds-monitoring",
            assume_role_policy=assume_policy,
            tags=self._tags,
        )
        IamRolePolicyAttachment(
            self,
            "monitoring_policy",
            role=role.name,
            policy_arn=f"arn:{self._partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        )
        arn: str = role.arn
        return arn
