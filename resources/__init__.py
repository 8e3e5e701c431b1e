"""casework's packaged files: letter templates, reference data, the default sharing protocol,
the stylesheet and icons. Installed as the package ``casework_resources`` and read only
through ``casework.core.resources``."""
