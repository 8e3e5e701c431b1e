"""casework-cli: administrators' and coordinators' commands."""
