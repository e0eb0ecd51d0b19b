"""The two renderings of a rule set: the command list and the iptables-restore payloads.

The command list is what istio-iptables runs one command at a time
(`--restore-format=false`, the format of the upstream golden files): per family, every
`-N` first (first-use order), then every rule in generation order. The restore payload
groups one family's rules by table, each block `* table`, its `-N` lines, its rules,
`COMMIT`. 1.12.6 orders the table blocks by walking a Go map, i.e. some rotation of
filter, nat, mangle, raw; we always use that order starting at filter.
"""
from __future__ import annotations

from injector.iptables.rules import Rule, RuleSet, chains

TABLE_ORDER = ("filter", "nat", "mangle", "raw")
BINARIES = {4: "iptables", 6: "ip6tables"}


def command_lines(rules: RuleSet) -> list[str]:
    """`iptables -t TABLE ...` lines, IPv4 block then IPv6 block."""
    lines: list[str] = []
    for version in (4, 6):
        family = rules.family(version)
        binary = BINARIES[version]
        # Tokens are joined with single spaces; empty tokens stay (two spaces in a row).
        lines.extend(f"{binary} -t {table} -N {chain}" for table, chain in chains(family))
        lines.extend(" ".join([binary, "-t", rule.table, *rule.args]) for rule in family)
    return lines


def command_list(rules: RuleSet) -> str:
    """The command list as one text, no trailing newline (as the golden files)."""
    return "\n".join(command_lines(rules))


def restore_payload(family: list[Rule]) -> str:
    """One family's iptables-restore payload; "" when it has no rules."""
    tables = sorted({r.table for r in family}, key=_table_rank)
    created = chains(family)
    lines: list[str] = []
    for table in tables:
        lines.append(f"* {table}")
        lines.extend(f"-N {chain}" for t, chain in created if t == table)
        lines.extend(" ".join(r.args) for r in family if r.table == table)
        lines.append("COMMIT")
    return "".join(line + "\n" for line in lines)


def _table_rank(table: str) -> tuple[int, str]:
    return (TABLE_ORDER.index(table), "") if table in TABLE_ORDER else (len(TABLE_ORDER), table)
