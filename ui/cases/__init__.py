"""The case list, My work, the case view every type shares, the new-case wizard."""
