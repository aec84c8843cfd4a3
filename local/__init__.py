"""The local stack: the synthesized template in moto, the real handlers in-process."""
