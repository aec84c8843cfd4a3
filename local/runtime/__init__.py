"""Running the stack in this process: the Lambda runtime, settling, the local clock, the outbox, the stack object."""
