"""Scorecards: the rep's own, the team grid, the company view and the numbers behind them."""
