"""Adapters: one package per technology and port; vendor SDKs are imported only here."""
