"""The domain: movies, search criteria and their rules. Plain Python only."""
