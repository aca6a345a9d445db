"""Email layer: the environment's SES domain identity, for Cognito and the applications to send through."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from constructs import Construct

from modules.email import Email
from stacks.layers.context import EnvironmentContext
from stacks.layers.stack_output import StackOutput


@dataclass(frozen=True)
class EmailOutputs:
    """What a sender names: the identity (Cognito's `source_arn`), the From address and the configuration set."""

    identity_arn: str
    domain: str
    """The identity's domain (a reference to the identity, so a reader is applied after it)."""
    sender: str
    configuration_set_name: str | None
    mail_from_domain: str | None


def email_layer(scope: Construct, *, env: EnvironmentContext, zone_id: str | None = None) -> EmailOutputs | None:
    """The SES identity when `email` is on, else None.

    Its records go in `zone_id` when a layer that owns the zone passes it, else in the public zone
    `email.zone_name` (default the domain), looked up by name.
    """
    config = env.config.email
    if not config.enabled or config.sender is None:
        return None
    if zone_id is None:
        zone_id = DataAwsRoute53Zone(scope, "email_zone", name=config.hosted_zone, private_zone=False).zone_id
    email = Email(scope, "email", name=env.prefix, config=config, zone_id=zone_id, region=env.region)
    return EmailOutputs(
        identity_arn=email.identity_arn,
        domain=email.domain,
        sender=config.sender,
        configuration_set_name=email.configuration_set_name,
        mail_from_domain=email.mail_from_domain,
    )


def email_outputs(email: EmailOutputs | None) -> list[StackOutput]:
    """The identity ARN and sender when email is on."""
    if email is None:
        return []
    outputs = [
        StackOutput("email", "ses_identity_arn", email.identity_arn, "SES domain identity mail is sent from"),
        StackOutput("email", "ses_sender", email.sender, "Sender address (Cognito's From) on the SES domain"),
    ]
    if email.configuration_set_name is not None:
        outputs.append(
            StackOutput(
                "email", "ses_configuration_set_name", email.configuration_set_name, "SES configuration set for sends"
            )
        )
    return outputs
