"""The partnership's KPIs and the KPI report."""
