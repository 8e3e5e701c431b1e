"""The PostgreSQL team server: roles, grants, row-level security and the audit guard
(``policies``), and engines that connect as a casework login role (``connect``)."""
