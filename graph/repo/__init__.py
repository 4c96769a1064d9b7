"""Repositories for the API: one module per concept, all Cypher, domain dataclasses out.

Every function takes the process's ``Graph`` and whole batches of ids, so the schema's
per-request dataloaders turn any nested GraphQL selection into a fixed number of queries.
"""
