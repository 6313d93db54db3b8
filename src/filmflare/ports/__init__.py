"""Ports: one Protocol per role the core needs from the outside world."""
