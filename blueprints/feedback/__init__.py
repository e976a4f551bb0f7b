"""Continuous feedback between people, the managers' feed, and the obstacles report."""
