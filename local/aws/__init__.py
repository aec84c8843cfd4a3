"""The template into moto: synthesis, the template reader, provisioning, the AWS endpoint."""
