"""Fixture step that fails with a domain error, and one that returns what JSON cannot carry."""


class PartnerUnknown(Exception):
    pass


def lambda_handler(event, context):
    raise PartnerUnknown(f"no partner {event.get('partner_id')}")


def unmarshallable(event, context):
    return {"at": object()}
