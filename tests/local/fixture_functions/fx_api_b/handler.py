"""Fixture handler: a Powertools REST resolver that answers the body it was sent, after a pause in which
another resolver's invocation could run (Powertools keeps the current event on the resolver class)."""

import time

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

app = APIGatewayRestResolver()


@app.post("/echo")
def echo() -> dict:
    time.sleep(0.005)  # noqa: fixture: leaves room for another invocation to interleave
    return {"body": app.current_event.body}


def lambda_handler(event, context):
    return app.resolve(event, context)
