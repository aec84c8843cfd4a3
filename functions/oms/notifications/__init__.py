"""Emails: the catalogue of kinds and the one way they are sent."""
