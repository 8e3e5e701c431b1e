"""Benchmarks: ``python -m benchmarks.run`` prints one table of scenarios and targets."""
