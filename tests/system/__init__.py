"""Tests of the service as it runs: real API processes, real servers, on 127.0.0.1 only."""
