"""The information-sharing protocol and the one pipeline every output goes through."""
