"""Email addresses: what is one (syntax, a 400 when not), and what the mail service can deliver to (a
rule of its own: an address can be well formed and still one SES refuses)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

# Domains reserved by RFC 6761 and kin are well formed but can never receive mail.
_SPECIAL_USE = "special-use or reserved name"


def well_formed(address: str) -> str:
    """The address, normalised; ValueError when it is not an email address at all."""
    try:
        return validate_email(address, check_deliverability=False, globally_deliverable=False).normalized
    except EmailNotValidError as error:
        if _SPECIAL_USE in str(error):
            return address
        raise ValueError(f"value is not a valid email address: {error}") from error


def undeliverable(address: str) -> str | None:
    """Why the mail service cannot deliver to this well-formed address, or None when it can."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return unsendable(address)


def unsendable(address: str) -> str | None:
    """Why SES refuses to send to this well-formed address whatever its domain, or None: SES takes a
    domain in either form (it is sent in ASCII, `ascii_form`) but only a plain ASCII name before the @."""
    local_part = address.rpartition("@")[0]
    if not local_part.isascii():
        return "the mail service cannot deliver to a name before the @ that is not plain ASCII"
    return None


def ascii_form(address: str) -> str:
    """The address with an internationalised domain in its ASCII form, as mail servers take it."""
    parsed = validate_email(address, check_deliverability=False, globally_deliverable=False)
    return f"{parsed.local_part}@{parsed.ascii_domain}"
