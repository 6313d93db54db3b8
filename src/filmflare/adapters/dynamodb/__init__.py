"""The production store: movies and their change feed on DynamoDB (aiobotocore, async)."""

from filmflare.adapters.dynamodb.connection import region_problem
from filmflare.adapters.dynamodb.repository import DynamoMovieRepository

__all__ = ["DynamoMovieRepository", "region_problem"]
