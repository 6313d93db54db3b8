"""Use cases: one module each, depending only on ports and the domain."""
