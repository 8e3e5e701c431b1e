"""Reports: KPIs, quarterly dataset, annual return."""
