"""Reads of the loans app: scoped querysets, aggregates and a loan's derived state. Nothing here
writes."""
