"""Goals: scorecard templates, targets at every level, overrides and time off."""
