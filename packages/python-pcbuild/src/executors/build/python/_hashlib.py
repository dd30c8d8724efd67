"""fipskit FIPS overlay: loads the _hashlib built against the FIPS OpenSSL, then makes Python's
built-in hash modules resolve to OpenSSL-backed ones (see _fipskit_hashes). A meta-path finder
is needed because an interpreter may have those modules compiled in, where sys.path cannot
shadow them. hashlib and hmac import _hashlib before any built-in, so this runs first.
"""
import importlib.machinery
import importlib.util
import os
import sys

_ext = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_fipskit_ext", "_hashlib" + importlib.machinery.EXTENSION_SUFFIXES[0])
_loader = importlib.machinery.ExtensionFileLoader("_hashlib", _ext)
_real = importlib.util.module_from_spec(importlib.util.spec_from_loader("_hashlib", _loader))
_loader.exec_module(_real)
sys.modules["_hashlib"] = _real

import _fipskit_hashes  # noqa: E402  (needs the real _hashlib in sys.modules)


class _OpenSslRoutedModules:
    """Placed before the built-in importer: the built-in hash modules never load."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name in _fipskit_hashes.ROUTED:
            return importlib.machinery.ModuleSpec(name, cls, origin="fipskit: OpenSSL")
        return None

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        module.__dict__.update(_fipskit_hashes.ROUTED[module.__name__])


if _OpenSslRoutedModules.__qualname__ not in [getattr(f, "__qualname__", "") for f in sys.meta_path]:
    for _name in _fipskit_hashes.ROUTED:
        # A built-in imported before us (e.g. _sha512 by random) is dropped so later imports get ours.
        sys.modules.pop(_name, None)
    sys.meta_path.insert(0, _OpenSslRoutedModules)
