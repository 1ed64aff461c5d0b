"""The `beacon` command line: composes the API and the workers for each process kind."""
