"""The only code that knows the DynamoDB layout."""
