"""The checks of :mod:`dapolicy.testing.invariants`, one private module per invariant group."""
