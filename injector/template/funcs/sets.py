"""The named function sets templates run with (see the vectors README, "Function sets").

- `core`: text/template's builtins;
- `sprig`: core + sprig's TxtFuncMap (sprig's `slice` replaces the builtin);
- `istio`: what Istio 1.29.6's injector registers: sprig, then Istio's functions on
  top (replacing sprig's `contains`, `indent`, `env`, `omit`, `toLower`, ...), plus
  1.7.3's `render`;
- `istio-1.7`: Istio 1.7.3's set alone, without sprig.
"""
from __future__ import annotations

from . import GoFunc, merged
from .builtins import BUILTINS
from .istio import ISTIO, ISTIO_17
from .sprig import SPRIG

FUNCSETS: dict[str, dict[str, GoFunc]] = {
    "core": BUILTINS,
    "sprig": merged(BUILTINS, SPRIG),
    "istio": merged(BUILTINS, SPRIG, ISTIO),
    "istio-1.7": merged(BUILTINS, ISTIO_17),
}
