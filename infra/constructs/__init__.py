"""One construct per concern, wired in infra.stack."""
