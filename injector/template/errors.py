"""Template errors, shaped like Go's text/template messages.

`ParseError`: the text was rejected before execution
(`template: NAME:LINE: message`). `ExecError`: raised while executing
(`template: NAME:LINE:COL: executing "NAME" at <ACTION>: message`).
"""
from __future__ import annotations


class TemplateError(Exception):
    """Base class of template parse and execution errors; str() is Go's message."""


class ParseError(TemplateError):
    """The template text is not valid (syntax, undefined function/variable, ...)."""


class ExecError(TemplateError):
    """Execution failed; any partial output is discarded."""
