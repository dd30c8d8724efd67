"""fipskit FIPS overlay: loads the _hashlib built against the FIPS OpenSSL, then routes
Python's built-in hash modules (_md5, _sha1, _sha256, _sha512, _sha3, _blake2) to OpenSSL.

Without this, hashlib silently falls back to the interpreter's own MD5 (and others) when
OpenSSL refuses an algorithm (CPython gh-116800): FIPS mode in name only. hashlib and hmac
import _hashlib before any built-in, so this module runs first.
"""
import importlib.machinery
import importlib.util
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_ext_dir = os.path.join(_here, "_fipskit_ext")
_suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
_loader = importlib.machinery.ExtensionFileLoader("_hashlib", os.path.join(_ext_dir, "_hashlib" + _suffix))
_spec = importlib.util.spec_from_loader("_hashlib", _loader)
_real = importlib.util.module_from_spec(_spec)
_loader.exec_module(_real)
sys.modules["_hashlib"] = _real


def _openssl_constructor(openssl_name, public_name):
    def construct(data=b"", *, usedforsecurity=True, **kwargs):
        if kwargs:
            raise ValueError("%s with %s is not available in FIPS mode" % (public_name, ", ".join(sorted(kwargs))))
        return _real.new(openssl_name, data, usedforsecurity=usedforsecurity)

    construct.__name__ = construct.__qualname__ = public_name
    construct.__module__ = "_fipskit_openssl"
    return construct


def _blake2_constructor(openssl_name, public_name, default_size):
    def construct(data=b"", *, digest_size=default_size, key=b"", salt=b"", person=b"", usedforsecurity=True, **kwargs):
        if digest_size != default_size or key or salt or person or kwargs:
            raise ValueError("%s with parameters is not available in FIPS mode" % public_name)
        return _real.new(openssl_name, data, usedforsecurity=usedforsecurity)

    construct.__name__ = construct.__qualname__ = public_name
    construct.__module__ = "_fipskit_openssl"
    return construct


# Module name -> {attribute: OpenSSL constructor}.
_ROUTED = {
    "_md5": {"md5": _openssl_constructor("md5", "md5")},
    "_sha1": {"sha1": _openssl_constructor("sha1", "sha1")},
    "_sha256": {"sha224": _openssl_constructor("sha224", "sha224"), "sha256": _openssl_constructor("sha256", "sha256")},
    "_sha512": {"sha384": _openssl_constructor("sha384", "sha384"), "sha512": _openssl_constructor("sha512", "sha512")},
    "_sha3": {name: _openssl_constructor(name, name) for name in ("sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128", "shake_256")},
    "_blake2": {"blake2b": _blake2_constructor("blake2b512", "blake2b", 64), "blake2s": _blake2_constructor("blake2s256", "blake2s", 32)},
}


class _OpenSslRoutedModules:
    """Meta-path finder placed before the built-in importer: built-in hash modules never load."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name in _ROUTED:
            return importlib.machinery.ModuleSpec(name, cls, origin="fipskit: OpenSSL")
        return None

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        module.__dict__.update(_ROUTED[module.__name__])


if not any(getattr(f, "__name__", "") == "_OpenSslRoutedModules" for f in sys.meta_path):
    for _name in _ROUTED:
        _loaded = sys.modules.get(_name)
        if _loaded is not None and getattr(_loaded, "__spec__", None) is not None and _loaded.__spec__.loader is not _OpenSslRoutedModules:
            del sys.modules[_name]
    sys.meta_path.insert(0, _OpenSslRoutedModules)
