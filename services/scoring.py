"""The weighted score: 100 is exactly on pace on every metric, above 100 when beating it."""

DEFAULT_CAP_PERCENT = 150.0


def achievement(pace, cap_percent=DEFAULT_CAP_PERCENT):
    """How much of what is due by now was done (1.0 = on pace), at most cap_percent / 100.

    None when the metric cannot count yet: no target, or nothing due and nothing done.
    """
    cap = cap_percent / 100
    if pace.status in ("no_target", "not_started"):
        return None
    if pace.ratio is not None:
        return min(pace.ratio, cap)
    # No meaningful ratio: zero due, so either beaten outright, met, or (lower is better) broken.
    return {"ahead": cap, "on_pace": 1.0}.get(pace.status, 0.0)


def score(parts):
    """Weighted score in percent from (weight, achievement) pairs; None if nothing counts.

    Metrics that cannot count yet and zero weights drop out, so the score is always measured
    against what could have been done.
    """
    counted = [(weight, value) for weight, value in parts if value is not None and weight > 0]
    total_weight = sum(weight for weight, _value in counted)
    if total_weight == 0:
        return None
    return 100 * sum(weight * value for weight, value in counted) / total_weight
