"""Cognito sign-in for the SPA: user pool, app client, hosted-UI domain and identity pool (seeds 000, 002)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cognito_identity_pool import (
    CognitoIdentityPool,
    CognitoIdentityPoolCognitoIdentityProviders,
)
from cdktf_cdktf_provider_aws.cognito_identity_pool_roles_attachment import CognitoIdentityPoolRolesAttachment
from cdktf_cdktf_provider_aws.cognito_user_pool import (
    CognitoUserPool,
    CognitoUserPoolAccountRecoverySetting,
    CognitoUserPoolAccountRecoverySettingRecoveryMechanism,
    CognitoUserPoolEmailConfiguration,
    CognitoUserPoolPasswordPolicy,
    CognitoUserPoolSchema,
    CognitoUserPoolSchemaStringAttributeConstraints,
    CognitoUserPoolSoftwareTokenMfaConfiguration,
    CognitoUserPoolVerificationMessageTemplate,
)
from cdktf_cdktf_provider_aws.cognito_user_pool_client import (
    CognitoUserPoolClient,
    CognitoUserPoolClientTokenValidityUnits,
)
from cdktf_cdktf_provider_aws.cognito_user_pool_domain import CognitoUserPoolDomain
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.ses_domain_identity_verification import SesDomainIdentityVerification
from constructs import Construct

from config.identity import AuthConfig
from config.names import cognito_authenticated_role_name

OAUTH_SCOPES = ("email", "openid", "profile")
"""What the SPA may ask the hosted UI for (seed 000)."""

COGNITO_IDENTITY = "cognito-identity.amazonaws.com"


@dataclass(frozen=True)
class SesSender:
    """The SES domain identity the pool sends through (Cognito's DEVELOPER mode), and how its mail looks."""

    domain: str
    """The identity's domain; a reference to the identity, so the wait starts after it exists."""
    from_email_address: str
    """`Name <address>` or a bare address in `domain`."""
    configuration_set: str | None


class UserPool(Construct):
    """A Cognito user pool with the seeds' settings, one SPA client, the hosted-UI domain and an identity pool.

    Users sign in with their email address (verified automatically by a code), passwords need all four character
    classes, TOTP MFA is optional (or required), and a forgotten password is recovered through the verified email
    only. Mail goes out through Cognito's default sender, or with `ses` through that SES identity: the pool then
    waits for the identity to be verified (an SES domain identity verification, polling SES for up to 45 minutes
    while the DKIM records propagate), because Cognito refuses a DEVELOPER configuration with an unverified
    identity. Cognito sends through its service-linked role AWSServiceRoleForAmazonCognitoIdpEmailService
    (created by Cognito on first use), so the identity needs no sending-authorization policy. The SPA client is
    public (no secret) and uses SRP and refresh tokens with the authorization-code flow; it revokes refresh tokens
    on sign-out and answers unknown users like wrong passwords. The identity pool admits only signed-in users of
    this client, who assume the authenticated role (no permissions of its own: attach what the app needs).
    `protected` turns on Cognito's deletion protection and `prevent_destroy`: deleting the pool deletes every user.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        region: str,
        config: AuthConfig,
        domain_prefix: str,
        protected: bool,
        ses: SesSender | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        tags = dict(tags or {})
        email_configuration = CognitoUserPoolEmailConfiguration(email_sending_account="COGNITO_DEFAULT")
        if ses is not None:
            # creating it waits until SES reports the domain verified; its ARN is the identity's
            verified = SesDomainIdentityVerification(self, "ses_verified", domain=ses.domain)
            email_configuration = CognitoUserPoolEmailConfiguration(
                email_sending_account="DEVELOPER",
                source_arn=verified.arn,
                from_email_address=ses.from_email_address,
                configuration_set=ses.configuration_set,
            )
        pool = CognitoUserPool(
            self,
            "pool",
            name=f"{name}-users",
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            password_policy=CognitoUserPoolPasswordPolicy(
                minimum_length=config.password_minimum_length,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=7,
            ),
            mfa_configuration=config.mfa,
            software_token_mfa_configuration=CognitoUserPoolSoftwareTokenMfaConfiguration(enabled=True),
            account_recovery_setting=CognitoUserPoolAccountRecoverySetting(
                recovery_mechanism=[
                    CognitoUserPoolAccountRecoverySettingRecoveryMechanism(name="verified_email", priority=1)
                ]
            ),
            email_configuration=email_configuration,
            verification_message_template=CognitoUserPoolVerificationMessageTemplate(
                default_email_option="CONFIRM_WITH_CODE"
            ),
            schema=[
                CognitoUserPoolSchema(
                    name="email",
                    attribute_data_type="String",
                    required=True,
                    mutable=True,
                    string_attribute_constraints=CognitoUserPoolSchemaStringAttributeConstraints(
                        min_length="0", max_length="256"
                    ),
                ),
                # a custom attribute: tokens carry it as `custom:display_name`
                CognitoUserPoolSchema(
                    name="display_name",
                    attribute_data_type="String",
                    required=False,
                    mutable=True,
                    developer_only_attribute=False,
                    string_attribute_constraints=CognitoUserPoolSchemaStringAttributeConstraints(
                        min_length="0", max_length="100"
                    ),
                ),
            ],
            deletion_protection="ACTIVE" if protected else "INACTIVE",
            tags={"Name": f"{name}-users", **tags},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protected else None,
        )
        client = CognitoUserPoolClient(
            self,
            "client",
            name=f"{name}-web-client",
            user_pool_id=pool.id,
            generate_secret=False,
            explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            access_token_validity=config.access_token_hours,
            id_token_validity=config.id_token_hours,
            refresh_token_validity=config.refresh_token_days,
            token_validity_units=[
                CognitoUserPoolClientTokenValidityUnits(access_token="hours", id_token="hours", refresh_token="days")
            ],
            allowed_oauth_flows=["code"],
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_scopes=list(OAUTH_SCOPES),
            callback_urls=list(config.callback_urls),
            logout_urls=list(config.logout_urls) or None,
            supported_identity_providers=["COGNITO"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
        )
        domain = CognitoUserPoolDomain(self, "domain", domain=domain_prefix, user_pool_id=pool.id)

        self.user_pool_id = pool.id
        self.user_pool_arn = pool.arn
        self.user_pool_endpoint = pool.endpoint
        """`cognito-idp.<region>.amazonaws.com/<pool id>`: the JWT issuer without `https://`."""
        self.client_id = client.id
        self.domain = f"{domain.domain}.auth.{region}.amazoncognito.com"
        """The hosted UI's host name."""
        self.identity_pool_id: str | None = None
        self.authenticated_role_arn: str | None = None
        if config.identity_pool:
            self._identity_pool(name, pool.endpoint, client.id, tags)

    def _identity_pool(self, name: str, provider_name: str, client_id: str, tags: dict[str, str]) -> None:
        identity_pool = CognitoIdentityPool(
            self,
            "identity_pool",
            identity_pool_name=f"{name}-identity",
            allow_unauthenticated_identities=False,
            allow_classic_flow=False,
            cognito_identity_providers=[
                CognitoIdentityPoolCognitoIdentityProviders(
                    client_id=client_id, provider_name=provider_name, server_side_token_check=True
                )
            ],
            tags={"Name": f"{name}-identity", **tags},
        )
        # Only identities of this pool that signed in (amr = authenticated) may assume the role.
        trust = DataAwsIamPolicyDocument(
            self,
            "authenticated_trust",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    actions=["sts:AssumeRoleWithWebIdentity"],
                    principals=[
                        DataAwsIamPolicyDocumentStatementPrincipals(type="Federated", identifiers=[COGNITO_IDENTITY])
                    ],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="StringEquals", variable=f"{COGNITO_IDENTITY}:aud", values=[identity_pool.id]
                        ),
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="ForAnyValue:StringLike", variable=f"{COGNITO_IDENTITY}:amr", values=["authenticated"]
                        ),
                    ],
                )
            ],
        )
        role = IamRole(
            self,
            "authenticated_role",
            name=cognito_authenticated_role_name(name),
            description="Assumed by signed-in users of the identity pool; grants nothing until the app attaches it",
            assume_role_policy=trust.json,
            tags={"Name": cognito_authenticated_role_name(name), **tags},
        )
        CognitoIdentityPoolRolesAttachment(
            self, "roles", identity_pool_id=identity_pool.id, roles={"authenticated": role.arn}
        )
        self.identity_pool_id = identity_pool.id
        self.authenticated_role_arn = role.arn
