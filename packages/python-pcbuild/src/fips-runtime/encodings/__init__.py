"""fipskit: the first import of every start of this Python, whatever its flags (-S, -I, -E) and before site, .pth
files, sitecustomize or the program. It puts fipskit's import guard ahead of every other finder (see
_fipskit_boot.install_guard), then becomes the standard library's own encodings package."""


def _fipskit_start():
    import os
    import sys

    # The import system's own modules, always loaded by now: importlib.util would bring contextlib, collections and
    # functools into every start of this Python (CPython keeps them out of start-up).
    from _frozen_importlib import module_from_spec
    from _frozen_importlib_external import PathFinder

    # The zip slot (or, outside a build, the directory) holding this package and the rest of fipskit's runtime.
    slot = os.path.dirname(__path__[0])
    boot = sys.modules.get("_fipskit_boot")
    if boot is None:
        spec = PathFinder.find_spec("_fipskit_boot", [slot])
        if spec is None or spec.loader is None:
            raise ImportError("fipskit: _fipskit_boot is missing from %s; build this Python's python stage again" % slot)
        boot = module_from_spec(spec)
        sys.modules["_fipskit_boot"] = boot
        spec.loader.exec_module(boot)
    boot.install_guard()

    here = os.path.realpath(slot)
    standard = [entry for entry in sys.path if entry and os.path.realpath(entry) != here]
    spec = PathFinder.find_spec(__name__, standard)
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        raise ImportError("fipskit: the standard library's encodings package is not on sys.path after %s" % slot)
    namespace = globals()
    namespace.update(
        __file__=spec.origin,
        __path__=list(spec.submodule_search_locations),
        __loader__=spec.loader,
        __cached__=spec.cached,
        __spec__=spec,
    )
    exec(spec.loader.get_code(__name__), namespace)


_fipskit_start()
del _fipskit_start
