"""HTTP: API Gateway REST emulation from the template, and the server of `oms local`."""
