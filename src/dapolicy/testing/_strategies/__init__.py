"""The strategies of :mod:`dapolicy.testing.strategies`, one private module per family."""
