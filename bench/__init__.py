"""Rerunnable benchmarks behind the README's performance statements (not timed tests); each
starts what it needs on its own (its own mongod, or a whole isolated stack)."""
