"""Fixture: a Powertools REST resolver that answers the body it was sent, after a pause in which another
resolver's invocation could run (Powertools keeps the current event on the resolver class). Each of
`fx_api_a` and `fx_api_b` makes its own, as two API functions each have their own module."""

import time

from aws_lambda_powertools.event_handler import APIGatewayRestResolver


def echo_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver()

    @app.post("/echo")
    def echo() -> dict:
        time.sleep(0.005)  # leaves room for another function's invocation to interleave
        return {"body": app.current_event.body}

    return app
