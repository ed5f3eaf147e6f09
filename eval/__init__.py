"""Offline evaluations of Dai-chan: the red-team set for safety routing, golden conversations."""
