"""Lint checks, one module per concern. Each check takes a LintContext and returns a list of Finding."""
