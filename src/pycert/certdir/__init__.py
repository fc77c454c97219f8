"""The certs directory on disk: safe reads, atomic writes, loading, issuing, checking.

Submodules import what they need when they need it; this `__init__` imports nothing, so
the CLI can reach one module without paying for the others.
"""
