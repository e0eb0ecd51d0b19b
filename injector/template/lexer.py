"""Tokenizer for Go text/template source (the behaviour of text/template/parse/lex.go).

`lex(text)` returns the whole token list at once; a lexical error becomes a final
`ERROR` token carrying Go's message, so the parser reports it only when it reaches
that point, as Go's parser does. Positions are character offsets into the text.
"""
from __future__ import annotations

import re
from typing import NamedTuple

LEFT_DELIM = "{{"
RIGHT_DELIM = "}}"
LEFT_COMMENT = "/*"
RIGHT_COMMENT = "*/"

# token types
TEXT = "text"
LDELIM = "left delim"
RDELIM = "right delim"
SPACE = "space"
IDENT = "identifier"
FIELD = "field"
VARIABLE = "variable"
STRING = "string"
RAWSTRING = "raw string"
CHARCONST = "char constant"
CHAR = "char"
NUMBER = "number"
COMPLEX = "complex"
BOOL = "bool"
PIPE = "pipe"
ASSIGN = "assign"
DECLARE = "declare"
LPAREN = "("
RPAREN = ")"
EOF = "EOF"
ERROR = "error"
# keywords (Go prints them as <word>)
DOT = "."
NIL = "nil"
KEYWORDS = {
    ".": DOT, "block": "block", "break": "break", "continue": "continue",
    "define": "define", "else": "else", "end": "end", "if": "if", "nil": NIL,
    "range": "range", "template": "template", "with": "with",
}
KEYWORD_TYPES = frozenset(KEYWORDS.values())

_SPACE = " \t\r\n"
_SPACE_RUN = re.compile(r"[ \t\r\n]*")
_ASCII_WORD_RUN = re.compile(r"[A-Za-z0-9_]*")


class Token(NamedTuple):
    typ: str
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        """Go's item.String(), used in "unexpected X in Y" messages."""
        from .gofmt import quote

        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ in KEYWORD_TYPES:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return _quote_prefix(self.val, 10) + "..."
        return quote(self.val)


def _quote_prefix(s: str, n: int) -> str:
    # fmt's %.10q: quote the first n runes.
    from .gofmt import quote

    return quote(s[:n])


def is_alnum(c: str) -> bool:
    """Go's isAlphaNumeric: '_', unicode.IsLetter or unicode.IsDigit (category Nd)."""
    return c == "_" or c.isalpha() or c.isdecimal()


def _has_left_trim(s: str, i: int) -> bool:
    return len(s) >= i + 2 and s[i] == "-" and s[i + 1] in _SPACE


def _has_right_trim(s: str, i: int) -> bool:
    return len(s) >= i + 2 and s[i] in _SPACE and s[i + 1] == "-"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.toks: list[Token] = []
        self.start = 0
        self.pos = 0
        self.paren = 0
        self._lpos = 0
        self._line = 1

    def line(self, pos: int) -> int:
        # tokens come in increasing position order: count newlines incrementally
        if pos >= self._lpos:
            self._line += self.text.count("\n", self._lpos, pos)
        else:
            self._line = 1 + self.text.count("\n", 0, pos)
        self._lpos = pos
        return self._line

    def emit(self, typ: str) -> None:
        self.toks.append(Token(typ, self.start, self.text[self.start:self.pos],
                               self.line(self.start)))
        self.start = self.pos

    def error(self, msg: str) -> None:
        self.toks.append(Token(ERROR, self.start, msg, self.line(self.start)))

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < self.n else ""

    def at_right_delim(self) -> tuple[bool, bool]:
        t, p = self.text, self.pos
        if _has_right_trim(t, p) and t.startswith(RIGHT_DELIM, p + 2):
            return True, True
        if t.startswith(RIGHT_DELIM, p):
            return True, False
        return False, False

    def at_terminator(self) -> bool:
        c = self.peek()
        return (c == "" or c in _SPACE or c in ".,|:()"
                or self.text.startswith(RIGHT_DELIM, self.pos))

    # ---------------------------------------------------------------- states
    def run(self) -> list[Token]:
        state = self.lex_text
        while state is not None:
            state = state()
        return self.toks

    def lex_text(self):
        t = self.text
        x = t.find(LEFT_DELIM, self.pos)
        if x < 0:
            self.pos = self.n
            if self.pos > self.start:
                self.emit(TEXT)
            self.emit(EOF)
            return None
        self.pos = x
        end = x
        if _has_left_trim(t, x + len(LEFT_DELIM)):
            while end > self.start and t[end - 1] in _SPACE:
                end -= 1
        if end > self.start:
            self.pos = end
            self.emit(TEXT)
        self.pos = x
        self.start = x
        return self.lex_left_delim

    def lex_left_delim(self):
        t = self.text
        self.pos += len(LEFT_DELIM)
        trim = _has_left_trim(t, self.pos)
        after = 2 if trim else 0
        if t.startswith(LEFT_COMMENT, self.pos + after):
            self.pos += after
            self.start = self.pos
            return self.lex_comment
        self.emit(LDELIM)
        self.pos += after
        self.start = self.pos
        self.paren = 0
        return self.lex_inside

    def lex_comment(self):
        t = self.text
        self.pos += len(LEFT_COMMENT)
        x = t.find(RIGHT_COMMENT, self.pos)
        if x < 0:
            self.error("unclosed comment")
            return None
        self.pos = x + len(RIGHT_COMMENT)
        delim, trim = self.at_right_delim()
        if not delim:
            self.error("comment ends before closing delimiter")
            return None
        if trim:
            self.pos += 2
        self.pos += len(RIGHT_DELIM)
        if trim:
            while self.pos < self.n and t[self.pos] in _SPACE:
                self.pos += 1
        self.start = self.pos
        return self.lex_text

    def lex_right_delim(self):
        t = self.text
        trim = _has_right_trim(t, self.pos)
        if trim:
            self.pos += 2
            self.start = self.pos
        self.pos += len(RIGHT_DELIM)
        self.emit(RDELIM)
        if trim:
            while self.pos < self.n and t[self.pos] in _SPACE:
                self.pos += 1
            self.start = self.pos
        return self.lex_text

    def lex_inside(self):
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren == 0:
                return self.lex_right_delim
            self.error("unclosed left paren")
            return None
        if self.pos >= self.n:
            self.error("unclosed action")
            return None
        c = self.text[self.pos]
        self.pos += 1
        if c in _SPACE:
            self.pos -= 1
            return self.lex_space
        if c == "=":
            self.emit(ASSIGN)
        elif c == ":":
            if self.peek() != "=":
                self.error("expected :=")
                return None
            self.pos += 1
            self.emit(DECLARE)
        elif c == "|":
            self.emit(PIPE)
        elif c == '"':
            return self.lex_quote
        elif c == "`":
            return self.lex_raw_quote
        elif c == "$":
            return self.lex_variable
        elif c == "'":
            return self.lex_char
        elif c == "." and self.pos < self.n and not ("0" <= self.text[self.pos] <= "9"):
            return self.lex_field
        elif c in "+-." or "0" <= c <= "9":
            self.pos -= 1
            return self.lex_number
        elif is_alnum(c):
            self.pos -= 1
            return self.lex_identifier
        elif c == "(":
            self.emit(LPAREN)
            self.paren += 1
        elif c == ")":
            self.emit(RPAREN)
            self.paren -= 1
            if self.paren < 0:
                self.error("unexpected right paren U+0029 ')'")
                return None
        elif c <= "\x7f" and c.isprintable():
            self.emit(CHAR)
        else:
            self.error(f"unrecognized character in action: {_rune(c)}")
            return None
        return self.lex_inside

    def lex_space(self):
        t = self.text
        end = _SPACE_RUN.match(t, self.pos).end()
        spaces = end - self.pos
        self.pos = end
        # a space before "-}}" belongs to the trim marker
        if _has_right_trim(t, self.pos - 1) and t.startswith(RIGHT_DELIM, self.pos + 1):
            self.pos -= 1
            if spaces == 1:
                return self.lex_right_delim
        self.emit(SPACE)
        return self.lex_inside

    def _word(self) -> None:
        t = self.text
        self.pos = _ASCII_WORD_RUN.match(t, self.pos).end()
        while self.pos < self.n and t[self.pos] >= "\x80" and is_alnum(t[self.pos]):
            self.pos = _ASCII_WORD_RUN.match(t, self.pos + 1).end()

    def lex_identifier(self):
        t = self.text
        self._word()
        if not self.at_terminator():
            self.error(f"bad character {_rune(t[self.pos])}")
            return None
        word = t[self.start:self.pos]
        if word in KEYWORDS:
            self.emit(KEYWORDS[word])
        elif word[0] == ".":
            self.emit(FIELD)
        elif word in ("true", "false"):
            self.emit(BOOL)
        else:
            self.emit(IDENT)
        return self.lex_inside

    def lex_field(self):
        return self._field_or_variable(FIELD)

    def lex_variable(self):
        return self._field_or_variable(VARIABLE)

    def _field_or_variable(self, typ: str):
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return self.lex_inside
        t = self.text
        self._word()
        if not self.at_terminator():
            self.error(f"bad character {_rune(t[self.pos])}")
            return None
        self.emit(typ)
        return self.lex_inside

    def _scan_quoted(self, quote: str, token: int, what: str):
        """Scan to the closing `quote`, honouring backslash escapes; a newline or the end
        of the text before it is Go's "unterminated ..." error."""
        t = self.text
        while True:
            c = t[self.pos] if self.pos < self.n else ""
            self.pos += 1
            if c == "\\":
                c2 = t[self.pos] if self.pos < self.n else ""
                self.pos += 1
                if c2 != "" and c2 != "\n":
                    continue
                self.error(f"unterminated {what}")
                return None
            if c == "" or c == "\n":
                self.error(f"unterminated {what}")
                return None
            if c == quote:
                break
        self.emit(token)
        return self.lex_inside

    def lex_quote(self):
        return self._scan_quoted('"', STRING, "quoted string")

    def lex_raw_quote(self):
        x = self.text.find("`", self.pos)
        if x < 0:
            self.error("unterminated raw quoted string")
            return None
        self.pos = x + 1
        self.emit(RAWSTRING)
        return self.lex_inside

    def lex_char(self):
        return self._scan_quoted("'", CHARCONST, "character constant")

    def _accept(self, chars: str) -> bool:
        if self.pos < self.n and self.text[self.pos] in chars:
            self.pos += 1
            return True
        return False

    def _accept_run(self, chars: str) -> None:
        while self.pos < self.n and self.text[self.pos] in chars:
            self.pos += 1

    def _scan_number(self) -> bool:
        self._accept("+-")
        digits = "0123456789_"
        if self._accept("0"):
            if self._accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self._accept("oO"):
                digits = "01234567_"
            elif self._accept("bB"):
                digits = "01_"
        self._accept_run(digits)
        if self._accept("."):
            self._accept_run(digits)
        if len(digits) == 11 and self._accept("eE"):
            self._accept("+-")
            self._accept_run("0123456789_")
        if len(digits) == 23 and self._accept("pP"):
            self._accept("+-")
            self._accept_run("0123456789_")
        self._accept("i")
        if self.pos < self.n and is_alnum(self.text[self.pos]):
            self.pos += 1
            return False
        return True

    def lex_number(self):
        if not self._scan_number():
            self.error(f"bad number syntax: {_goquote(self.text[self.start:self.pos])}")
            return None
        if self.peek() in ("+", "-"):
            if not self._scan_number() or self.text[self.pos - 1] != "i":
                self.error(f"bad number syntax: {_goquote(self.text[self.start:self.pos])}")
                return None
            self.emit(COMPLEX)
        else:
            self.emit(NUMBER)
        return self.lex_inside


def _goquote(s: str) -> str:
    from .gofmt import quote

    return quote(s)


def _rune(c: str) -> str:
    """fmt's %#U: U+0023 '#'."""
    cp = ord(c)
    if c.isprintable():
        return f"U+{cp:04X} '{c}'"
    return f"U+{cp:04X}"


def lex(text: str) -> list[Token]:
    """All tokens of `text`, ending with EOF or ERROR."""
    return _Lexer(text).run()
