"""Build the Cython speedups in `_speedups/` as extension modules of `injector`.

Every extension has a pure-Python twin inside the package; a tiny selector module
picks the compiled one unless INJECTOR_NO_EXTENSIONS is set. If Cython or a C
compiler is missing the build fails loudly rather than shipping a slow package:
set INJECTOR_NO_EXTENSIONS=1 at build time to build a pure-Python package on purpose.
"""
import os

from setuptools import Extension, setup

# source .pyx (under _speedups/) -> dotted module name inside the package
EXTENSIONS = {
    "_speedups/_exec_c.pyx": "injector.template._exec_c",
    "_speedups/_jsondiff_c.pyx": "injector._jsondiff_c",
    "_speedups/_yamlfast_c.pyx": "injector._yamlfast_c",
    "_speedups/_k8stypes_c.pyx": "injector._k8stypes_c",
    "_speedups/_templatedata_c.pyx": "injector._templatedata_c",
    "_speedups/_merge_c.pyx": "injector._merge_c",
}


def extensions():
    if os.environ.get("INJECTOR_NO_EXTENSIONS"):
        return []
    from Cython.Build import cythonize

    exts = [
        Extension(name, [src], extra_compile_args=["-O2"])
        for src, name in EXTENSIONS.items()
        if os.path.exists(src)
    ]
    return cythonize(
        exts,
        language_level=3,
        compiler_directives={"boundscheck": False, "wraparound": False, "cdivision": True},
    )


setup(ext_modules=extensions())
