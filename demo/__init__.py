"""Seed data, not rules: the demo organisation (`flask seed-demo`) and its scorecards."""
