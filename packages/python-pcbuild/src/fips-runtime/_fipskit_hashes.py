"""fipskit: Python's built-in hash modules (_md5, _sha1, _sha256, _sha512, _sha2, _sha3, _blake2), routed to OpenSSL.

hashlib falls back to these modules whenever OpenSSL refuses an algorithm (CPython gh-116800),
so an interpreter in FIPS mode would still compute MD5 with its own code. Here every constructor
asks OpenSSL instead: what the FIPS configuration refuses stays refused, and what it allows
(e.g. md5(usedforsecurity=False) where a non-FIPS provider is active) keeps working.
"""
import _hashlib


def _constructor(openssl_name, public_name):
    def construct(data=b"", *, usedforsecurity=True, **kwargs):
        if kwargs:
            raise ValueError("%s with %s is not available in FIPS mode" % (public_name, ", ".join(sorted(kwargs))))
        return _hashlib.new(openssl_name, data, usedforsecurity=usedforsecurity)

    construct.__name__ = construct.__qualname__ = public_name
    construct.__module__ = __name__
    return construct


def _blake2(openssl_name, public_name, default_size):
    def construct(data=b"", *, digest_size=default_size, key=b"", salt=b"", person=b"", usedforsecurity=True, **kwargs):
        if digest_size != default_size or key or salt or person or kwargs:
            raise ValueError("%s with parameters is not available in FIPS mode" % public_name)
        return _hashlib.new(openssl_name, data, usedforsecurity=usedforsecurity)

    construct.__name__ = construct.__qualname__ = public_name
    construct.__module__ = __name__
    # The class attributes CPython's blake2b and blake2s carry (hashlib.blake2b.SALT_SIZE and its kin), which programs
    # read to size their parameters.
    sizes = {"blake2b": (16, 16, 64, 64), "blake2s": (8, 8, 32, 32)}[public_name]
    construct.SALT_SIZE, construct.PERSON_SIZE, construct.MAX_KEY_SIZE, construct.MAX_DIGEST_SIZE = sizes
    return construct


_SHA3 = ("sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128", "shake_256")

# Built-in module name -> its public constructors.
ROUTED = {
    "_md5": {"md5": _constructor("md5", "md5")},
    "_sha1": {"sha1": _constructor("sha1", "sha1")},
    "_sha256": {"sha224": _constructor("sha224", "sha224"), "sha256": _constructor("sha256", "sha256")},
    "_sha512": {"sha384": _constructor("sha384", "sha384"), "sha512": _constructor("sha512", "sha512")},
    # 3.12 and later: one module for SHA-2 (HACL*).
    "_sha2": {name: _constructor(name, name) for name in ("sha224", "sha256", "sha384", "sha512")},
    "_sha3": {name: _constructor(name, name) for name in _SHA3},
    "_blake2": {"blake2b": _blake2("blake2b512", "blake2b", 64), "blake2s": _blake2("blake2s256", "blake2s", 32)},
}
