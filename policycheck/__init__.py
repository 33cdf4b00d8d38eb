"""policycheck: finds clauses in Dutch municipal policy that help or hinder social enterprises."""

__version__ = "0.1.0"
