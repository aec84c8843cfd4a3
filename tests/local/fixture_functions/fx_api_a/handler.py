"""Fixture handler: one of two API functions, each with its own echoing resolver (`fx_echo`)."""

from fx_echo import echo_resolver

app = echo_resolver()


def lambda_handler(event, context):
    return app.resolve(event, context)
