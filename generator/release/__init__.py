"""Releases: the lock, modification times, hazards for learners, release notes."""
