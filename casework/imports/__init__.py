"""Imports of every case type: one CSV of one type, or a workbook with a sheet per type."""
