"""Metrics: what Pacer measures."""

from flask_babel import get_locale
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.people import Organization
from models.types import Quantity

KINDS = ("leading", "lagging")
AGGREGATIONS = ("count", "sum")
DIRECTIONS = ("higher", "lower")


class Metric(db.Model):
    __tablename__ = "metrics"
    __table_args__ = (
        UniqueConstraint("organization_id", "key"),
        CheckConstraint("kind IN ('leading', 'lagging')", name="kind"),
        CheckConstraint("aggregation IN ('count', 'sum')", name="aggregation"),
        CheckConstraint("direction IN ('higher', 'lower')", name="direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # A stable slug ("calls") used by the sync API and imports; never changes once set.
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    # The words people read, in other languages: {"it": {"name": "Chiamate", "unit": "chiamate",
    # "quality_unit": "minuti"}}. Whatever is missing falls back to the columns above.
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    kind: Mapped[str] = mapped_column(String(8), default="leading")
    aggregation: Mapped[str] = mapped_column(String(8), default="count")
    unit: Mapped[str] = mapped_column(String(24), default="")
    direction: Mapped[str] = mapped_column(String(8), default="higher")
    # Quality gate: an activity counts only if its measured value reaches this (e.g. 2 minutes).
    quality_min: Mapped[float | None] = mapped_column(Quantity)
    quality_unit: Mapped[str | None] = mapped_column(String(24))
    daily_cap: Mapped[float | None] = mapped_column(Quantity)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    organization: Mapped[Organization] = relationship()

    def _translated(self, field):
        locale = get_locale()
        words = (self.translations or {}).get(locale.language, {}) if locale else {}
        return words.get(field) or getattr(self, field)

    @property
    def label(self):
        """The metric's name in the language of the page being drawn."""
        return self._translated("name")

    @property
    def unit_label(self):
        return self._translated("unit")

    @property
    def quality_unit_label(self):
        return self._translated("quality_unit")

    @property
    def is_count(self):
        return self.aggregation == "count"

    def qualifies(self, value):
        """Whether an activity with this measured value passes the quality gate."""
        return passes(self.quality_min, value)

    def __repr__(self):
        return f"<Metric {self.key}>"


def passes(quality_min, value):
    """Whether a measured value passes a quality gate (None: no gate, everything passes)."""
    if quality_min is None:
        return True
    return value is not None and value >= quality_min
