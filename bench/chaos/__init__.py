"""`python -m bench.chaos` (`make chaos`): nothing lost, nothing doubled while processes are killed."""
