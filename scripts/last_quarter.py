"""Print the last full quarter before today (project clock), e.g. ``2026Q3``."""

from casework.core import clock

d = clock.today()
q = (d.month - 1) // 3
print(f"{d.year}Q{q}" if q else f"{d.year - 1}Q4")
