"""The information-sharing protocol (ISP) and every output produced under it.

One pipeline (``pipeline``) serves every output: select what the user may see, apply the
protocol's field rules (``rules``), check disclosure control (``disclosure``), then render
(``render_pdf``, ``render_tabular``). The outputs: the anonymised meeting pack (``pack``,
``review_pack``), the depersonalised quarterly dataset (``quarterly``), the Community
Trigger annual return (``trigger_return``) and the KPI report (``kpi_report``). Police
recorded ASB for area context is imported by ``police``.
"""
