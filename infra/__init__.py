"""The OMS CDK app."""
