"""Qt item models over casework read models (paged, named columns and roles)."""
