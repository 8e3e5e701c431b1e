"""What every screen uses: the Qt names, background operations, forms, tables, security."""
