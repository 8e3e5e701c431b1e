"""casework: the rules and use cases. Never imports Qt or ui."""
