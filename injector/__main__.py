"""`python -m injector` runs the command line."""
from injector.cli import main

raise SystemExit(main())
