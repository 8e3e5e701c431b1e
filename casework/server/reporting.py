"""The team server's aggregate functions: every query the coordinator's reports and
exports read (``casework.core.aggregates``), made into definer functions by ``server
init``. The modules below register their queries when imported."""

from __future__ import annotations

from casework.core import aggregates
from casework.reporting import kpis
from casework.server.roles import SERVER_ROLES
from casework.sharing import quarterly
from casework.trigger import figures
from db.server.policies import Names

REGISTERING = (kpis, quarterly, figures)


def ddl(names: Names) -> list[str]:
    """The functions, their grants, run as the owner after the policies."""
    assert all(m.__name__ for m in REGISTERING)
    return aggregates.ddl(names, aggregates.REGISTRY.values(),
                          {r: names.group(r) for r in SERVER_ROLES})
