"""Sub-commands of the `injector` CLI, one module each (see injector.cli)."""
