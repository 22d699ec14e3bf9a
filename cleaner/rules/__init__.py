"""Site-chrome rules: data files of versioned rules, and the marker that runs them.

Rules live in ``cleaner/rules/*.toml``; see :mod:`cleaner.rules.engine` for the format.
"""
from .engine import Rule, RuleError, load_rules

__all__ = ["Rule", "RuleError", "load_rules"]
