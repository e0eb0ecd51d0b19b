"""One-line, position-first text for YAML parser errors.

PyYAML's messages span several lines and name `"<unicode string>"` as the source; users
need `line L, column C: problem` in the file (or annotation) they wrote. Positions are
1-based; `first_line` shifts them when the text was cut from a larger file (one document
of a multi-document stream).
"""
from __future__ import annotations


def describe(e: Exception, first_line: int = 1) -> str:
    """`line L, column C: problem (context at line L, column C)`, or the error's own
    text on one line when it carries no position."""
    mark, problem = getattr(e, "problem_mark", None), getattr(e, "problem", None)
    if mark is None or not problem:
        char, reason = getattr(e, "character", None), getattr(e, "reason", None)
        if reason and isinstance(getattr(e, "position", None), int):  # yaml.reader.ReaderError
            what = f"#x{ord(char) if isinstance(char, str) else char:04x}" if char is not None else "character"
            return f"character {e.position + 1}: unacceptable character {what}: {reason}"
        return " ".join(str(e).split())
    out = f"line {first_line + mark.line}, column {mark.column + 1}: {problem}"
    context, cmark = getattr(e, "context", None), getattr(e, "context_mark", None)
    if context and cmark is not None:
        out += f" ({context} at line {first_line + cmark.line}, column {cmark.column + 1})"
    return out
