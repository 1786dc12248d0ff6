"""Tools for testing code that uses dapolicy: hypothesis strategies and policy invariants.

This package imports hypothesis; the rest of dapolicy never does.
"""
