"""Data access: the only package that talks to DynamoDB (through PynamoDB) or other AWS APIs."""
