"""The `injector` command line: one sub-command per module in `injector.commands`.

Each command module exposes `register(subparsers)`, which adds its parser and sets
`func(args) -> int` as the default. Exit codes: 0 ok, 2 usage, 3 the input was
rejected (template error, bad manifest, ...), 1 anything unexpected.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# Order is the order of `injector --help`.
COMMANDS = [
    "serve",
    "admit",
    "template",
    "iptables",
    "check",
    "webhook_config",
    "certs",
    "webhook",
    "kube_inject",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="injector", description="Istio-compatible sidecar injector"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"injector.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
