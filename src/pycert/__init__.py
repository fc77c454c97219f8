"""pycert: a drop-in clone of `cockroach cert`, in Python."""

__version__ = "0.1.0"
