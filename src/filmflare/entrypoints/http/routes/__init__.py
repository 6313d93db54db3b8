"""The routes, one module per resource group; each parses, calls one use case, maps the result."""
