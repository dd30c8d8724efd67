"""Proves FIPS mode from inside the Python interpreter under test (stdlib only, Python 3.8+).

Run it with the interpreter to check; it prints one JSON object on stdout (or writes it to
--output). Every check is its own function; a check that raises is recorded as failed with the
exception text, so one broken probe never hides the others.

OpenSSL is asked through ctypes on the library `_hashlib` is really bound to, never
ctypes.util.find_library: that searches the linker's paths, not this process, and loading what
it finds would bring a second libcrypto with its own configuration.

Exit status: 0 when every required check passed, 1 when one failed, 2 on a usage error.
"""

import argparse
import ctypes
import json
import os
import platform
import shutil
import socket
import subprocess
import sys

# tempfile is imported where it is used: it imports random, which needs _sha512, which a fipskit Python
# refuses when FIPS mode is not in force; the script must still run to report that as the startup check.

REPORT_VERSION = 1


def _temporary_directory(prefix):
    import tempfile

    return tempfile.TemporaryDirectory(prefix=prefix)

FIPS_PROVIDER = "fips"
STRICT_PROVIDERS = ("base", "fips")

# Known answers for b"abc" (FIPS 180-4 / FIPS 202 examples).
KNOWN_ANSWERS_ABC = (
    ("sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    ("sha224", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
    ("sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("sha384", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
    (
        "sha512",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    ),
    ("sha3_256", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"),
)

# RFC 4231 test case 2.
HMAC_SHA256_VECTOR = (b"Jefe", b"what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")

# What ssl.SSLContext.get_ciphers() reports for suites SP 800-52r2 allows with FIPS-approved algorithms.
APPROVED_SYMMETRIC = {"aes-128-gcm", "aes-256-gcm", "aes-128-cbc", "aes-256-cbc", "aes-128-ccm", "aes-256-ccm", "aes-128-ccm8", "aes-256-ccm8"}
APPROVED_MAC = {None, "sha1", "sha224", "sha256", "sha384", "sha512"}
APPROVED_KEX = {"kx-ecdhe", "kx-dhe", "kx-rsa", "kx-any"}
APPROVED_AUTH = {"auth-ecdsa", "auth-rsa", "auth-any"}
FORBIDDEN_NAME_PARTS = ("CHACHA20", "CAMELLIA", "ARIA", "SEED", "RC4", "DES", "MD5", "NULL", "PSK", "SRP", "IDEA", "GOST", "SM4", "ADH", "AECDH")

CHACHA_ONLY = "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-CHACHA20-POLY1305"

# What a Python started another way must show: run with -c in that other process, prints one JSON object.
STARTUP_PROBE = """
import json, os, sys
r = {"executable": sys.executable}
try:
    import _hashlib, hashlib, ssl
    r["fips_mode"] = _hashlib.get_fips_mode()
    r["openssl"] = ssl.OPENSSL_VERSION
    try:
        hashlib.md5(b"x")
        r["md5"] = "produced a digest"
    except ValueError as error:
        r["md5"] = "refused"
    r["sha256"] = hashlib.sha256(b"abc").hexdigest()
    if sys.platform.startswith("linux"):
        with open("/proc/self/maps") as maps:
            r["libcrypto"] = sorted({os.path.realpath(l.split(None, 5)[5].strip()) for l in maps if "libcrypto" in l and len(l.split(None, 5)) == 6})
except Exception as error:
    r["error"] = "%s: %s" % (type(error).__name__, error)
print(json.dumps(r))
"""

# A multiprocessing manager (spawn: a fresh interpreter, authenticated over a socket) doing one round trip.
MANAGER_PROBE = """
import multiprocessing
if __name__ == "__main__":
    with multiprocessing.get_context("spawn").Manager() as manager:
        shared = manager.dict()
        shared["fips"] = "ok"
        print(shared["fips"])
"""

WINDOWS_LIBCRYPTO_NAMES = ("libcrypto-3-x64.dll", "libcrypto-3-arm64.dll", "libcrypto-3.dll")

# OSSL_PARAM data types (openssl/core.h).
OSSL_PARAM_INTEGER = 1
OSSL_PARAM_UTF8_PTR = 6
OSSL_PARAM_UNMODIFIED = ctypes.c_size_t(-1).value


class CheckFailed(Exception):
    """Raised by a check to fail with a message rather than an unexpected exception."""


class OsslParam(ctypes.Structure):
    _fields_ = [
        ("key", ctypes.c_char_p),
        ("data_type", ctypes.c_uint),
        ("data", ctypes.c_void_p),
        ("data_size", ctypes.c_size_t),
        ("return_size", ctypes.c_size_t),
    ]


class DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


PROVIDER_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


def describe_error(error):
    text = str(error) or repr(error)
    return "%s: %s" % (type(error).__name__, text)


def text(value):
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# --------------------------------------------------------------------------------------------
# The libcrypto this process really uses


class LibCrypto(object):
    """The libcrypto `_hashlib` is bound to, with the few OpenSSL 3 functions the checks call."""

    def __init__(self):
        import _hashlib

        self.bound_through = None
        self.path = None
        if sys.platform == "win32":
            self.lib, self.path = self._windows_module()
            self.bound_through = "GetModuleHandleW"
        else:
            module_file = getattr(_hashlib, "__file__", None)
            # dlopen of an already loaded object returns its handle; dlsym on it searches the
            # object's own dependencies, i.e. the libcrypto _hashlib was really linked against.
            self.lib = ctypes.CDLL(module_file) if module_file else ctypes.CDLL(None)
            self.bound_through = module_file or "the process's global symbols (_hashlib is built in)"
        self._declare()
        if self.path is None:
            self.path = self._symbol_path("OSSL_PROVIDER_do_all")

    @staticmethod
    def _windows_module():
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.GetModuleHandleW.argtypes = [ctypes.c_wchar_p]
        kernel32.GetModuleHandleW.restype = ctypes.c_void_p
        kernel32.GetModuleFileNameW.argtypes = [ctypes.c_void_p, ctypes.c_wchar_p, ctypes.c_uint]
        kernel32.GetModuleFileNameW.restype = ctypes.c_uint
        for name in WINDOWS_LIBCRYPTO_NAMES:
            handle = kernel32.GetModuleHandleW(name)
            if handle:
                buffer = ctypes.create_unicode_buffer(32768)
                kernel32.GetModuleFileNameW(handle, buffer, len(buffer))
                return ctypes.CDLL(name, handle=handle), os.path.realpath(buffer.value)
        raise CheckFailed("no OpenSSL 3 libcrypto DLL (%s) is loaded in this process after importing _hashlib" % ", ".join(WINDOWS_LIBCRYPTO_NAMES))

    def _declare(self):
        lib = self.lib
        signatures = {
            "OSSL_PROVIDER_do_all": ([ctypes.c_void_p, PROVIDER_CALLBACK, ctypes.c_void_p], ctypes.c_int),
            "OSSL_PROVIDER_get0_name": ([ctypes.c_void_p], ctypes.c_char_p),
            "OSSL_PROVIDER_get_params": ([ctypes.c_void_p, ctypes.POINTER(OsslParam)], ctypes.c_int),
            "EVP_default_properties_is_fips_enabled": ([ctypes.c_void_p], ctypes.c_int),
            "EVP_MD_fetch": ([ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_void_p),
            "EVP_MD_get0_provider": ([ctypes.c_void_p], ctypes.c_void_p),
            "EVP_MD_free": ([ctypes.c_void_p], None),
            "ERR_clear_error": ([], None),
            "OpenSSL_version": ([ctypes.c_int], ctypes.c_char_p),
        }
        for name, (argtypes, restype) in signatures.items():
            try:
                function = getattr(lib, name)
            except AttributeError:
                raise CheckFailed(
                    "%s is not exported by the libcrypto _hashlib uses (%s): this is not an OpenSSL 3 libcrypto" % (name, self.bound_through)
                )
            function.argtypes = argtypes
            function.restype = restype

    def _symbol_path(self, symbol):
        if sys.platform == "win32":
            return None
        libc = ctypes.CDLL(None)
        dladdr = getattr(libc, "dladdr", None)
        if dladdr is None:
            return None
        dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
        dladdr.restype = ctypes.c_int
        info = DlInfo()
        address = ctypes.cast(getattr(self.lib, symbol), ctypes.c_void_p).value
        if not dladdr(address, ctypes.byref(info)) or not info.dli_fname:
            return None
        return os.path.realpath(text(info.dli_fname))

    def providers(self):
        """Every activated provider of the default library context, with its own name/version/status."""
        handles = []

        def collect(provider, _arg):
            handles.append(provider)
            return 1

        callback = PROVIDER_CALLBACK(collect)
        self.lib.OSSL_PROVIDER_do_all(None, callback, None)
        return [self._describe_provider(h) for h in handles]

    def _describe_provider(self, handle):
        strings = {}
        params = []
        for key in ("name", "version", "buildinfo"):
            strings[key] = ctypes.c_char_p()
            params.append(OsslParam(key.encode(), OSSL_PARAM_UTF8_PTR, ctypes.cast(ctypes.byref(strings[key]), ctypes.c_void_p), ctypes.sizeof(ctypes.c_char_p), OSSL_PARAM_UNMODIFIED))
        status = ctypes.c_int(-1)
        params.append(OsslParam(b"status", OSSL_PARAM_INTEGER, ctypes.cast(ctypes.byref(status), ctypes.c_void_p), ctypes.sizeof(ctypes.c_int), OSSL_PARAM_UNMODIFIED))
        params.append(OsslParam(None, 0, None, 0, 0))
        array = (OsslParam * len(params))(*params)
        ok = self.lib.OSSL_PROVIDER_get_params(handle, array)
        answered = {text(array[i].key): array[i].return_size != OSSL_PARAM_UNMODIFIED for i in range(len(params) - 1)}
        return {
            "name": text(self.lib.OSSL_PROVIDER_get0_name(handle)),
            "description": text(strings["name"].value) if answered.get("name") else None,
            "version": text(strings["version"].value) if answered.get("version") else None,
            "buildinfo": text(strings["buildinfo"].value) if answered.get("buildinfo") else None,
            "status": status.value if ok and answered.get("status") else None,
        }

    def digest_provider(self, algorithm, properties=None):
        """Name of the provider EVP_MD_fetch picks for `algorithm`, or None when nothing offers it."""
        md = self.lib.EVP_MD_fetch(None, algorithm.encode(), properties.encode() if properties is not None else None)
        try:
            if not md:
                return None
            return text(self.lib.OSSL_PROVIDER_get0_name(self.lib.EVP_MD_get0_provider(md)))
        finally:
            if md:
                self.lib.EVP_MD_free(md)
            self.lib.ERR_clear_error()

    def default_properties_fips(self):
        return self.lib.EVP_default_properties_is_fips_enabled(None) == 1


def mapped_images(matches, windows_names):
    """Every image mapped into this process whose file name `matches`, as real paths."""
    found = set()
    if sys.platform.startswith("linux"):
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split(None, 5)
                if len(parts) == 6 and matches(os.path.basename(parts[5].strip())):
                    found.add(os.path.realpath(parts[5].strip()))
    elif sys.platform == "darwin":
        libc = ctypes.CDLL(None)
        libc._dyld_image_count.restype = ctypes.c_uint32
        libc._dyld_get_image_name.argtypes = [ctypes.c_uint32]
        libc._dyld_get_image_name.restype = ctypes.c_char_p
        for index in range(libc._dyld_image_count()):
            name = text(libc._dyld_get_image_name(index))
            if name and matches(os.path.basename(name)):
                found.add(os.path.realpath(name))
    elif sys.platform == "win32":
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.GetModuleHandleW.argtypes = [ctypes.c_wchar_p]
        kernel32.GetModuleHandleW.restype = ctypes.c_void_p
        kernel32.GetModuleFileNameW.argtypes = [ctypes.c_void_p, ctypes.c_wchar_p, ctypes.c_uint]
        kernel32.GetModuleFileNameW.restype = ctypes.c_uint
        for name in windows_names:
            handle = kernel32.GetModuleHandleW(name)
            if handle:
                buffer = ctypes.create_unicode_buffer(32768)
                kernel32.GetModuleFileNameW(handle, buffer, len(buffer))
                found.add(os.path.realpath(buffer.value))
    else:
        raise CheckFailed("cannot list loaded libraries on %s" % sys.platform)
    return sorted(found)


def mapped_libcrypto_paths():
    """Every libcrypto image mapped into this process, as real paths."""
    return mapped_images(lambda name: name.startswith("libcrypto"), WINDOWS_LIBCRYPTO_NAMES + ("libcrypto-1_1-x64.dll", "libcrypto-1_1.dll"))


def mapped_fips_module():
    """The FIPS provider module this process loaded (the file that ran), or None; several are joined with "; "."""
    found = mapped_images(lambda name: name in ("fips.so", "fips.dylib", "fips.dll"), ("fips.dll",))
    return "; ".join(found) if found else None


def is_under(path, directory):
    path = os.path.normcase(os.path.realpath(path))
    directory = os.path.normcase(os.path.realpath(directory))
    try:
        return os.path.commonpath([path, directory]) == directory
    except ValueError:
        return False


# --------------------------------------------------------------------------------------------
# Where a hash constructor comes from


def constructor_origin(constructor):
    """('openssl' | 'builtin' | 'python' | 'unknown', description) for a hashlib constructor."""
    module_name = getattr(constructor, "__module__", None)
    name = getattr(constructor, "__name__", repr(constructor))
    if module_name == "_hashlib" or name.startswith("openssl_"):
        return "openssl", "_hashlib.%s (OpenSSL)" % name
    module = sys.modules.get(module_name) if module_name else None
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None) or getattr(module, "__file__", None)
    if type(constructor).__name__ == "builtin_function_or_method":
        # CPython's own implementations: compiled in (Debian) or a lib-dynload extension (pyenv, full builds).
        where = "compiled into the interpreter" if origin in (None, "built-in") else origin
        return "builtin", "%s.%s, CPython's own implementation (%s), not OpenSSL" % (module_name, name, where)
    if callable(constructor) and hasattr(constructor, "__code__"):
        return "python", "%s.%s, a Python function (%s)" % (module_name, name, origin or "no file")
    return "unknown", "%s.%s of type %s" % (module_name, name, type(constructor).__name__)


def object_is_openssl(hash_object):
    kind = type(hash_object)
    return getattr(kind, "__module__", None) == "_hashlib" and kind.__name__ in ("HASH", "HASHXOF")


def attempt(label, produce):
    """Runs `produce`; returns (label, digest or None, how it ended)."""
    try:
        digest = produce()
    except Exception as error:  # noqa: BLE001 - every refusal counts, whatever its type
        return label, None, "refused (%s)" % describe_error(error)
    return label, digest, "PRODUCED %s" % digest


# --------------------------------------------------------------------------------------------
# The checks


class Run(object):
    def __init__(self, args):
        self.args = args
        self.startup_errors = []
        self._libcrypto = None
        self._libcrypto_error = None
        self._providers = None

    def libcrypto(self):
        if self._libcrypto is None and self._libcrypto_error is None:
            try:
                self._libcrypto = LibCrypto()
            except Exception as error:  # noqa: BLE001
                self._libcrypto_error = error
        if self._libcrypto_error is not None:
            raise self._libcrypto_error
        return self._libcrypto

    def providers(self):
        if self._providers is None:
            self._providers = self.libcrypto().providers()
        return self._providers


def check_openssl_version(run):
    import ssl

    expected = run.args.expected_openssl_version
    actual = ssl.OPENSSL_VERSION
    # "3.0.2" must not match "3.0.22": compare whole version words.
    words = actual.replace("(", " ").replace(")", " ").split()
    if expected in words:
        return True, "ssl.OPENSSL_VERSION is %r" % actual
    return False, "ssl.OPENSSL_VERSION is %r, expected OpenSSL %s: _ssl is using another OpenSSL (the system's?)" % (actual, expected)


def check_libcrypto_path(run):
    import _hashlib  # noqa: F401 - both must be loaded before the process's libraries are listed
    import _ssl  # noqa: F401

    mapped = mapped_libcrypto_paths()
    expected_dir = run.args.expected_libcrypto_dir
    bound = None
    try:
        bound = run.libcrypto().path
    except Exception:  # noqa: BLE001 - reported by fips-provider-active
        pass
    details = ["mapped: %s" % (", ".join(mapped) or "none")]
    if bound:
        details.append("_hashlib bound to %s" % bound)
    if len(mapped) != 1:
        return False, "%d libcrypto libraries are loaded, expected exactly one (%s)" % (len(mapped), "; ".join(details))
    if bound and os.path.normcase(bound) != os.path.normcase(mapped[0]):
        return False, "_hashlib is bound to %s but %s is mapped" % (bound, mapped[0])
    if expected_dir and not is_under(mapped[0], expected_dir):
        return False, "%s is not under the expected %s" % (mapped[0], os.path.realpath(expected_dir))
    return True, mapped[0] + (" (under %s)" % os.path.realpath(expected_dir) if expected_dir else "")


def check_fips_provider_active(run):
    providers = run.providers()
    listed = ", ".join("%s %s status %s" % (p["name"], p["version"], p["status"]) for p in providers) or "none"
    fips = [p for p in providers if p["name"] == FIPS_PROVIDER]
    if not fips:
        hint = ""
        if safe(lambda: run.libcrypto().default_properties_fips(), False):
            hint = (
                "; the configuration asks for fips=yes but the provider did not load: module integrity or self-test failure, "
                "OPENSSL_MODULES pointing elsewhere, or a fipsmodule.cnf from another machine"
            )
        return False, "no provider named %r is active (active: %s)%s" % (FIPS_PROVIDER, listed, hint)
    provider = fips[0]
    if provider["status"] != 1:
        return False, "the fips provider is loaded but its status is %r, not 1 (self-tests failed?)" % provider["status"]
    expected = run.args.expected_fips_version
    if expected and provider["version"] != expected:
        return False, "the fips provider is version %s, expected %s (active: %s)" % (provider["version"], expected, listed)
    return True, "%s %s, status 1 (active: %s)" % (provider["description"] or FIPS_PROVIDER, provider["version"], listed)


def check_sha256_from_fips(run):
    name = run.libcrypto().digest_provider("SHA256")
    if name is None:
        return False, "EVP_MD_fetch(NULL, \"SHA256\", NULL) found no implementation"
    if name != FIPS_PROVIDER:
        return False, "SHA256 is provided by %r, not the fips provider" % name
    return True, "EVP_MD_fetch(NULL, \"SHA256\", NULL) is provided by fips"


def check_default_properties_fips(run):
    import _hashlib

    enabled = run.libcrypto().default_properties_fips()
    get_fips_mode = getattr(_hashlib, "get_fips_mode", None)
    reported = get_fips_mode() if get_fips_mode else "not available"
    detail = "EVP_default_properties_is_fips_enabled(NULL) = %d; _hashlib.get_fips_mode() = %s" % (1 if enabled else 0, reported)
    return enabled, detail


def check_only_fips_and_base(run):
    names = sorted(p["name"] for p in run.providers())
    extra = [n for n in names if n not in STRICT_PROVIDERS]
    if extra:
        return False, "active providers: %s; %s active: non-approved algorithms reachable with a property query" % (", ".join(names), "/".join(extra))
    return True, "active providers: %s" % ", ".join(names)


def check_md5_refused(run):
    import hashlib
    import hmac

    attempts = []
    has_md5 = hasattr(hashlib, "md5")
    if has_md5:
        attempts.append(attempt("hashlib.md5(b'x')", lambda: hashlib.md5(b"x").hexdigest()))
    attempts.append(attempt("hashlib.new('md5')", lambda: hashlib.new("md5").hexdigest()))
    attempts.append(attempt("hashlib.new('md5', b'x')", lambda: hashlib.new("md5", b"x").hexdigest()))
    attempts.append(attempt("hmac.new(b'k', b'm', 'md5')", lambda: hmac.new(b"k", b"m", "md5").hexdigest()))
    if has_md5:
        attempts.append(attempt("hmac.new(b'k', b'm', hashlib.md5)", lambda: hmac.new(b"k", b"m", hashlib.md5).hexdigest()))
    produced = [label for label, digest, _ in attempts if digest is not None]
    info = ["hashlib.md5 is %s" % (constructor_origin(hashlib.md5)[1] if has_md5 else "absent")]
    openssl_md5 = None
    try:
        lib = run.libcrypto()
        for properties in (None, "-fips"):
            provider = lib.digest_provider("MD5", properties)
            if properties is None:
                openssl_md5 = provider
            info.append("OpenSSL MD5 with properties %s: %s" % (properties or "(default)", "from %s" % provider if provider else "none"))
    except Exception as error:  # noqa: BLE001 - informational only
        info.append("OpenSSL not asked: %s" % describe_error(error))
    if has_md5:
        # The sanctioned non-security use; OpenSSL decides (works where a non-FIPS provider is active).
        info.append("hashlib.md5(usedforsecurity=False): %s" % attempt("", lambda: hashlib.md5(b"x", usedforsecurity=False).hexdigest())[2])
    if produced:
        if openssl_md5:
            why = "OpenSSL itself offers MD5 (provider %s)" % openssl_md5
        else:
            why = "OpenSSL refuses MD5, so CPython fell back to its built-in _md5: the gh-116800 false green"
        return False, "still produced an MD5 digest: %s; %s; %s" % (", ".join(produced), why, "; ".join(info))
    return True, "refused by all %d paths (%s); %s" % (len(attempts), "; ".join("%s %s" % (label, how) for label, _, how in attempts), "; ".join(info))


def check_md5_not_builtin(run):
    import hashlib

    if not hasattr(hashlib, "md5"):
        return True, "hashlib.md5 is absent"
    kind, description = constructor_origin(hashlib.md5)
    return kind != "builtin", "hashlib.md5 is " + description


def check_approved_digests(run):
    import hashlib

    problems = []
    good = []
    for name, expected in KNOWN_ANSWERS_ABC:
        constructor = getattr(hashlib, name, None)
        if constructor is None:
            problems.append("hashlib.%s is missing" % name)
            continue
        for label, make in (("hashlib.%s" % name, lambda: constructor(b"abc")), ("hashlib.new(%r)" % name, lambda: hashlib.new(name, b"abc"))):
            try:
                hash_object = make()
            except Exception as error:  # noqa: BLE001
                problems.append("%s raised %s" % (label, describe_error(error)))
                continue
            digest = hash_object.hexdigest()
            if digest != expected:
                problems.append("%s(b'abc') gave %s, expected %s" % (label, digest, expected))
            elif not object_is_openssl(hash_object):
                kind = type(hash_object)
                problems.append("%s gave a %s.%s object, not OpenSSL's _hashlib.HASH" % (label, kind.__module__, kind.__name__))
            else:
                good.append(label)
    if problems:
        return False, "; ".join(problems)
    return True, "%d known answers for b'abc' correct, all from OpenSSL (_hashlib.HASH)" % len(good)


def check_hmac_sha256(run):
    import hmac

    key, message, expected = HMAC_SHA256_VECTOR
    mac = hmac.new(key, message, "sha256")
    digest = mac.hexdigest()
    if getattr(mac, "_hmac", None) is not None:
        implementation, from_openssl = "OpenSSL HMAC", True
    else:
        # Python 3.8, or a digest OpenSSL refused: hmac.py computes it over two hash objects.
        inner = getattr(mac, "_inner", None) or getattr(mac, "inner", None)  # "inner" before 3.9
        from_openssl = inner is not None and object_is_openssl(inner)
        implementation = "hmac.py over %s" % ("OpenSSL SHA-256" if from_openssl else "%s.%s, not OpenSSL" % (type(inner).__module__, type(inner).__name__))
    if digest != expected:
        return False, "RFC 4231 test case 2 gave %s, expected %s (%s)" % (digest, expected, implementation)
    if not from_openssl:
        return False, "RFC 4231 test case 2 matches, but computed by %s" % implementation
    return True, "RFC 4231 test case 2 matches (%s)" % implementation


def cipher_problems(cipher):
    reasons = []
    upper = cipher.get("name", "").upper()
    reasons.extend(part for part in FORBIDDEN_NAME_PARTS if part in upper)
    if cipher.get("symmetric") not in APPROVED_SYMMETRIC:
        reasons.append("cipher %s" % cipher.get("symmetric"))
    if cipher.get("digest") not in APPROVED_MAC:
        reasons.append("MAC %s" % cipher.get("digest"))
    if cipher.get("kea") not in APPROVED_KEX:
        reasons.append(str(cipher.get("kea")))
    if cipher.get("auth") not in APPROVED_AUTH:
        reasons.append(str(cipher.get("auth")))
    seen = []
    for reason in reasons:
        if reason not in seen:
            seen.append(reason)
    return seen


def is_dormant(cipher, psk_api):
    """PSK/SRP suites OpenSSL leaves out of the ClientHello unless the program set a PSK/SRP callback."""
    kex, auth = str(cipher.get("kea")), str(cipher.get("auth"))
    if kex == "kx-srp" or auth == "auth-srp":
        return True  # Python has no SRP API at all.
    return not psk_api and (kex.endswith("psk") or auth == "auth-psk")


def check_default_context_ciphers(run):
    import ssl

    ciphers = ssl.create_default_context().get_ciphers()
    if not ciphers:
        return False, "ssl.create_default_context() has no ciphers at all: TLS cannot work"
    # Python 3.13 added set_psk_client_callback; before it, PSK suites can never be negotiated.
    psk_api = hasattr(ssl.SSLContext, "set_psk_client_callback")
    offenders, dormant, offered = [], [], []
    for cipher in ciphers:
        reasons = cipher_problems(cipher)
        if reasons and is_dormant(cipher, psk_api):
            dormant.append(cipher.get("name"))
        elif reasons:
            offenders.append("%s (%s)" % (cipher.get("name"), ", ".join(reasons)))
        else:
            offered.append(cipher.get("name"))
    note = ""
    if dormant:
        note = "; %d PSK/SRP suites listed but never offered (no PSK/SRP callback in this Python, so OpenSSL leaves them out of the ClientHello): %s" % (
            len(dormant),
            ", ".join(dormant),
        )
    if offenders:
        return False, "%d of %d ciphers not FIPS-approved: %s%s" % (len(offenders), len(ciphers), ", ".join(offenders), note)
    if not offered:
        return False, "no cipher the default context can offer" + note
    return True, "all %d offered ciphers approved: %s%s" % (len(offered), ", ".join(offered), note)


def tls_client_context(run, version):
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=run.args.tls_ca)
    context.minimum_version = version
    context.maximum_version = version
    return context


def tls_connect(run, context):
    """Handshake with the test server; returns (version, cipher). TCP failures raise CheckFailed."""
    host, port = run.args.tls_host, run.args.tls_port
    try:
        sock = socket.create_connection((host, port), timeout=15)
    except OSError as error:
        raise CheckFailed("cannot reach the test server at %s:%d: %s" % (host, port, describe_error(error)))
    with sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            return tls.version(), tls.cipher()


def handshake_check(version_name):
    def check(run):
        import ssl

        version = getattr(ssl.TLSVersion, version_name)
        negotiated, cipher = tls_connect(run, tls_client_context(run, version))
        return True, "%s with %s (%d bits), server certificate verified for %s" % (negotiated, cipher[0], cipher[2], run.args.tls_host)

    return check


def check_non_approved_cipher_refused(run):
    """The default client context against a server (not in FIPS mode) that offers ChaCha20-Poly1305 only."""
    import ssl

    context = ssl.create_default_context(cafile=run.args.tls_ca)
    port = run.args.chacha_port
    try:
        sock = socket.create_connection((run.args.tls_host, port), timeout=15)
    except OSError as error:
        raise CheckFailed("cannot reach the ChaCha20-only server at %s:%d: %s" % (run.args.tls_host, port, describe_error(error)))
    with sock:
        try:
            with context.wrap_socket(sock, server_hostname=run.args.tls_host) as tls:
                return False, "connected to the ChaCha20-only server with %s over %s: a non-approved cipher was negotiated" % (tls.cipher()[0], tls.version())
        except (ssl.SSLError, ConnectionError) as error:
            return True, "the default context refused a server that offers only ChaCha20-Poly1305: %s" % describe_error(error)


def check_startup(run):
    """ssl and hashlib import cleanly; a fipskit Python refuses to import them when FIPS mode is not in force."""
    errors = run.startup_errors
    if errors:
        return False, "; ".join(errors)
    import _hashlib

    origin = getattr(getattr(_hashlib, "__spec__", None), "origin", None) or getattr(_hashlib, "__file__", None) or "built in"
    return True, "_hashlib, hashlib, hmac, _ssl and ssl imported (_hashlib from %s)" % origin


def child_environment():
    """A clean environment: nothing that could hand the child a FIPS setup it lacks on its own."""
    keep = ("SYSTEMROOT", "SystemRoot", "TEMP", "TMP") if sys.platform == "win32" else ()
    return {name: os.environ[name] for name in keep if name in os.environ}


def run_probe(run, argv, env=None, timeout=120, libcrypto_dir=None):
    """Runs STARTUP_PROBE in another process; (passed, detail). libcrypto_dir: where its libcrypto must be."""
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=child_environment() if env is None else env)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, "could not run %s: %s" % (argv[0], describe_error(error))
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        return False, "%s exited with %d: %s" % (argv[0], result.returncode, " / ".join(tail) or "no output")
    return judge_probe(run, json.loads(lines[-1]), result.stderr, libcrypto_dir or run.args.expected_libcrypto_dir)


def judge_probe(run, probe, stderr, libcrypto_dir):
    where = probe.get("executable")
    if probe.get("error"):
        return False, "%s: %s" % (where, probe["error"])
    problems = []
    expected = run.args.expected_openssl_version
    if expected not in (probe.get("openssl") or "").replace("(", " ").replace(")", " ").split():
        problems.append("OpenSSL is %r, not %s" % (probe.get("openssl"), expected))
    if probe.get("fips_mode") != 1:
        problems.append("get_fips_mode() is %r" % probe.get("fips_mode"))
    if probe.get("md5") != "refused":
        problems.append("hashlib.md5() %s" % probe.get("md5"))
    if probe.get("sha256") != KNOWN_ANSWERS_ABC[2][1]:
        problems.append("SHA-256 of b'abc' is %r" % probe.get("sha256"))
    mapped = probe.get("libcrypto")
    if mapped is not None and libcrypto_dir:
        if len(mapped) != 1 or not is_under(mapped[0], libcrypto_dir):
            problems.append("libcrypto mapped: %s, not one from %s" % (", ".join(mapped) or "none", libcrypto_dir))
    if stderr.strip():
        problems.append("it printed: %s" % " / ".join(stderr.strip().splitlines()[-2:]))
    if problems:
        return False, "%s is not in FIPS mode: %s" % (where, "; ".join(problems))
    return True, "%s: FIPS mode, %s, MD5 refused" % (where, probe.get("openssl"))


def check_start_isolated(run):
    return run_probe(run, [sys.executable, "-I", "-c", STARTUP_PROBE])


def check_start_through_symlink(run):
    with _temporary_directory(prefix="fipskit-verify-link-") as directory:
        link = os.path.join(directory, "fips-python")
        os.symlink(sys.executable, link)
        return run_probe(run, [link, "-c", STARTUP_PROBE])


def check_start_moved_copy(run):
    if run.args.moved_copy_unavailable:
        return False, run.args.moved_copy_unavailable
    root = run.args.moved_copy_root
    with _temporary_directory(prefix="fipskit-verify-moved-") as directory:
        moved = lambda path: os.path.join(directory, os.path.relpath(path, root))  # noqa: E731
        for tree in run.args.moved_copy:
            shutil.copytree(tree, moved(tree), symlinks=True)
        # The copy must run with the copied OpenSSL, not the original's.
        libcrypto_dir = moved(run.args.expected_libcrypto_dir) if run.args.expected_libcrypto_dir else None
        return run_probe(run, [moved(run.args.moved_copy_python), "-c", STARTUP_PROBE], libcrypto_dir=libcrypto_dir)


def check_venv_interpreter(run):
    with _temporary_directory(prefix="fipskit-verify-venv-") as directory:
        first, nested = os.path.join(directory, "venv"), os.path.join(directory, "venv-of-venv")
        details = []
        for base, target in ((sys.executable, first), (venv_python(first), nested)):
            made = subprocess.run([base, "-m", "venv", "--without-pip", target], capture_output=True, text=True, env=child_environment())
            if made.returncode != 0:
                return False, "%s -m venv %s failed: %s" % (base, target, made.stderr.strip().splitlines()[-1:] or made.returncode)
            passed, detail = run_probe(run, [venv_python(target), "-c", STARTUP_PROBE])
            if not passed:
                return False, detail
            details.append(detail)
        return True, "; ".join(details)


def venv_python(venv):
    return os.path.join(venv, "Scripts", "python.exe") if sys.platform == "win32" else os.path.join(venv, "bin", "python")


def check_child_clean_environment(run):
    return run_probe(run, [sys.executable, "-c", STARTUP_PROBE])


# CPython's own MD5 reached before anything imports hashlib (no site, so no sitecustomize): routed or refused, never computed.
BUILTIN_MD5_PROBE = """
try:
    import _md5
    _md5.md5(b"x")
except ImportError:
    print("absent")
except ValueError:
    print("refused")
else:
    print("computed")
"""


def hostile_starts(directory):
    """The starts that took a Python out of FIPS mode through its environment or flags: (what, argv after the
    interpreter, variables added, probe). Another installation's directories are Debian's and most Linux systems'."""
    series = "python%d.%d" % sys.version_info[:2]
    other_dynload = os.path.join("/usr/lib", series, "lib-dynload")
    hook = os.path.join(directory, "hook")
    os.makedirs(hook)
    with open(os.path.join(hook, "sitecustomize.py"), "w", encoding="utf-8") as handle:
        handle.write("# a coverage or APM hook's sitecustomize, earlier on sys.path than the interpreter's\n")
    starts = [
        ("PYTHONHOME=/usr", ["-c", STARTUP_PROBE], {"PYTHONHOME": "/usr"}, "startup"),
        ("PYTHONPLATLIBDIR=/usr/lib", ["-c", STARTUP_PROBE], {"PYTHONPLATLIBDIR": "/usr/lib"}, "startup"),
        ("-S, then CPython's _md5 before hashlib", ["-S", "-c", BUILTIN_MD5_PROBE], {}, "md5"),
        ("a sitecustomize earlier on sys.path (PYTHONPATH)", ["-c", STARTUP_PROBE], {"PYTHONPATH": hook}, "startup"),
    ]
    if os.path.isdir(other_dynload):
        starts.insert(2, ("-S with PYTHONPATH=%s" % other_dynload, ["-S", "-c", STARTUP_PROBE], {"PYTHONPATH": other_dynload}, "startup"))
    return starts


def refused_loudly(result):
    """A start that ended with an error naming FIPS: what fipskit does when FIPS mode cannot be in force."""
    return result.returncode != 0 and "FIPS" in result.stderr


def check_start_environment(run):
    """Each start that an environment variable or flag used to take outside FIPS mode: FIPS mode, or a loud refusal."""
    with _temporary_directory(prefix="fipskit-verify-env-") as directory:
        details, failures = [], []
        for what, argv, variables, probe in hostile_starts(directory):
            env = dict(child_environment(), **variables)
            try:
                result = subprocess.run([sys.executable] + argv, capture_output=True, text=True, timeout=120, env=env)
            except (OSError, subprocess.TimeoutExpired) as error:
                failures.append("%s: could not run (%s)" % (what, describe_error(error)))
                continue
            if refused_loudly(result):
                line = result.stderr.strip().splitlines()[-1]
                end = line.find(": ", line.find("FIPS"))
                details.append("%s: refused (%s)" % (what, line if end < 0 else line[:end]))
                continue
            if probe == "md5":
                answer = result.stdout.strip()
                if result.returncode == 0 and answer in ("refused", "absent"):
                    details.append("%s: %s" % (what, "MD5 refused by OpenSSL" if answer == "refused" else "no _md5"))
                else:
                    failures.append("%s: CPython's MD5 %s" % (what, answer or "exited with %d" % result.returncode))
                continue
            lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
            if result.returncode != 0 or not lines:
                tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
                failures.append("%s: exited with %d (%s), without a word of FIPS" % (what, result.returncode, " / ".join(tail) or "no output"))
                continue
            passed, detail = judge_probe(run, json.loads(lines[-1]), result.stderr, run.args.expected_libcrypto_dir)
            (details if passed else failures).append("%s: %s" % (what, "FIPS mode" if passed else detail))
        if failures:
            return False, "started outside FIPS mode without refusing: %s" % "; ".join(failures)
        return True, "; ".join(details)


def check_multiprocessing_manager(run):
    try:
        result = subprocess.run([sys.executable, "-c", MANAGER_PROBE], capture_output=True, text=True, timeout=120, env=child_environment())
    except subprocess.TimeoutExpired:
        return False, "a spawn Manager() did not answer within 120 s"
    if result.returncode != 0 or result.stdout.strip() != "ok":
        tail = result.stderr.strip().splitlines()[-1:] or [str(result.returncode)]
        return False, "a spawn Manager() failed: %s" % tail[0]
    return True, "a spawn Manager() authenticated its connection (%s) and answered" % ("HMAC-SHA256" if sys.version_info < (3, 12) else "HMAC-SHA256, negotiated")


def check_usedforsecurity_exemption(run):
    import hashlib

    _, digest, how = attempt("", lambda: hashlib.md5(b"x", usedforsecurity=False).hexdigest())
    if digest is None:
        return False, "hashlib.md5(usedforsecurity=False) %s: code that hashes for cache keys or UUIDs breaks" % how
    return True, "hashlib.md5(usedforsecurity=False) %s, from OpenSSL outside the FIPS provider" % how


def check_os_fips_switch(run):
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/sys/crypto/fips_enabled") as handle:
                value = handle.read().strip()
        except OSError as error:
            return False, "/proc/sys/crypto/fips_enabled unreadable (%s): kernel FIPS mode unknown" % describe_error(error)
        return value == "1", "/proc/sys/crypto/fips_enabled = %s" % value
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"System\CurrentControlSet\Control\Lsa\FipsAlgorithmPolicy") as key:
                value, _ = winreg.QueryValueEx(key, "Enabled")
        except OSError as error:
            return False, "HKLM\\System\\CurrentControlSet\\Control\\Lsa\\FipsAlgorithmPolicy Enabled not set (%s)" % describe_error(error)
        return value == 1, "HKLM\\System\\CurrentControlSet\\Control\\Lsa\\FipsAlgorithmPolicy Enabled = %s" % value
    return False, "unknown: no OS FIPS switch is known on %s" % sys.platform


def planned_checks(args):
    """(id, title, required, function) in the order they run."""
    checks = [
        ("startup", "ssl and hashlib import (a fipskit Python refuses when FIPS mode is not in force)", True, check_startup),
        ("openssl-version", "ssl uses the expected OpenSSL version", True, check_openssl_version),
        ("libcrypto-path", "exactly one libcrypto is loaded, from the expected prefix", True, check_libcrypto_path),
        ("fips-provider-active", "the fips provider is loaded and its self-tests passed", True, check_fips_provider_active),
        ("sha256-from-fips", "SHA-256 is fetched from the fips provider", True, check_sha256_from_fips),
        ("default-properties-fips", "default properties require fips=yes", True, check_default_properties_fips),
        ("only-fips-and-base", "only the fips and base providers are active", args.profile == "strict", check_only_fips_and_base),
        ("md5-refused", "every hashlib/hmac path refuses MD5", True, check_md5_refused),
        ("md5-not-builtin", "hashlib.md5 is not CPython's built-in MD5", False, check_md5_not_builtin),
        ("usedforsecurity-exemption", "md5(usedforsecurity=False) works (code that hashes for keys, not security)", args.profile == "rhel-compatible", check_usedforsecurity_exemption),
        ("approved-digests", "SHA-1/SHA-2/SHA-3 known answers, computed by OpenSSL", True, check_approved_digests),
        ("hmac-sha256", "HMAC-SHA-256 RFC 4231 test vector", True, check_hmac_sha256),
        ("default-context-ciphers", "the default TLS context offers FIPS-approved ciphers only", True, check_default_context_ciphers),
    ]
    if args.tls_port is not None:
        checks += [
            ("tls12-handshake", "TLS 1.2 handshake with a FIPS server", True, handshake_check("TLSv1_2")),
            ("tls13-handshake", "TLS 1.3 handshake with a FIPS server", True, handshake_check("TLSv1_3")),
        ]
    if args.chacha_port is not None:
        checks.append(("non-approved-cipher-refused", "a server offering only ChaCha20-Poly1305 is refused", True, check_non_approved_cipher_refused))
    if args.start_modes:
        checks.append(("start-isolated", "started with -I (no environment, no user site) it is in FIPS mode", True, check_start_isolated))
        if sys.platform != "win32":
            checks.append(("start-through-symlink", "started through a symbolic link to it, it is in FIPS mode", True, check_start_through_symlink))
        if args.moved_copy_root or args.moved_copy_unavailable:
            checks.append(("start-moved-copy", "a copy moved elsewhere (with its OpenSSL and FIPS configuration) is in FIPS mode", True, check_start_moved_copy))
        checks += [
            ("venv-interpreter", "the interpreter of a venv made from it, and of a venv made from that, is in FIPS mode", True, check_venv_interpreter),
            ("child-clean-environment", "sys.executable started with an empty environment is in FIPS mode", True, check_child_clean_environment),
        ]
        if sys.platform != "win32":
            checks.append(
                ("start-environment", "PYTHONHOME, PYTHONPLATLIBDIR, -S with PYTHONPATH, -S with _md5, a shadowing sitecustomize: FIPS mode or a loud refusal", True, check_start_environment)
            )
        checks += [
            ("multiprocessing-manager", "a multiprocessing manager (spawn) authenticates and answers", True, check_multiprocessing_manager),
        ]
    checks.append(("os-fips-switch", "the operating system's FIPS switch", False, check_os_fips_switch))
    return checks


def run_check(run, check_id, title, required, function):
    try:
        passed, detail = function(run)
    except CheckFailed as error:
        passed, detail = False, str(error)
    except Exception as error:  # noqa: BLE001 - a broken probe fails its check, never the run
        passed, detail = False, "the check raised %s" % describe_error(error)
    return {"id": check_id, "title": title, "required": bool(required), "passed": bool(passed), "detail": detail}


# Checks that only start other Pythons and judge what those print: they wait on other processes, so they run side
# by side in threads while the checks inside this interpreter run here. Each reads run.args only. Listed slowest
# first (two venvs, a copy of the install, a spawned manager), the order they are started in, so the pool ends sooner.
IN_OTHER_PROCESSES = (
    check_venv_interpreter,
    check_start_environment,
    check_start_moved_copy,
    check_multiprocessing_manager,
    check_start_isolated,
    check_start_through_symlink,
    check_child_clean_environment,
)
PROBE_THREADS = 3


def run_checks(run, planned):
    """Every planned check, its result in the planned order."""
    from concurrent.futures import ThreadPoolExecutor

    results = [None] * len(planned)
    with ThreadPoolExecutor(max_workers=PROBE_THREADS) as pool:
        in_other = sorted((IN_OTHER_PROCESSES.index(check[3]), index, check) for index, check in enumerate(planned) if check[3] in IN_OTHER_PROCESSES)
        probes = [(index, pool.submit(run_check, run, *check)) for _, index, check in in_other]
        for index, check in enumerate(planned):
            if check[3] not in IN_OTHER_PROCESSES:
                results[index] = run_check(run, *check)
        for index, probe in probes:
            results[index] = probe.result()
    return results


def safe(function, default=None):
    try:
        return function()
    except Exception:  # noqa: BLE001
        return default


def openssl_section(run):
    import ssl

    api = getattr(ssl, "_OPENSSL_API_VERSION", None)
    return {
        "version": ssl.OPENSSL_VERSION,
        "libcrypto_path": safe(lambda: run.libcrypto().path),
        "api_version": "%d.%d.%d" % tuple(api[:3]) if api else None,
    }


def build_report(args):
    run = Run(args)
    # Load ssl and hashlib the way an application does (this also loads OpenSSL's configuration)
    # before OpenSSL is asked anything: enumerating providers earlier would activate fallbacks.
    startup_errors = run.startup_errors
    for module in ("_hashlib", "hashlib", "hmac", "_ssl", "ssl"):
        try:
            __import__(module)
        except Exception as error:  # noqa: BLE001
            startup_errors.append("import %s: %s" % (module, describe_error(error)))
    safe(lambda: __import__("ssl").create_default_context())

    checks = run_checks(run, planned_checks(args))
    providers = safe(run.providers)
    fips = next((p for p in providers or [] if p["name"] == FIPS_PROVIDER), None)
    return {
        "reportVersion": REPORT_VERSION,
        "interpreter": {
            "executable": sys.executable,
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
        },
        "openssl": safe(lambda: openssl_section(run), {"version": None, "libcrypto_path": None, "api_version": None}),
        "fips_provider": dict(fips, loaded=True) if fips else None,
        "fips_module": safe(mapped_fips_module) if fips else None,
        "providers": providers if providers is not None else [],
        "default_properties_fips": bool(safe(lambda: run.libcrypto().default_properties_fips(), False)),
        "profile": args.profile,
        "startup_errors": startup_errors,
        "checks": checks,
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Prove FIPS mode from inside this Python interpreter; prints one JSON object.")
    parser.add_argument("--expected-openssl-version", required=True, metavar="X.Y.Z")
    parser.add_argument("--expected-fips-version", metavar="X.Y.Z", help="version the fips provider must report")
    parser.add_argument("--expected-libcrypto-dir", metavar="DIR")
    parser.add_argument("--profile", choices=("strict", "rhel-compatible", "recipe-compatible"), default="rhel-compatible")
    parser.add_argument("--tls-host", default="127.0.0.1")
    parser.add_argument("--tls-port", type=int, metavar="N")
    parser.add_argument("--tls-ca", metavar="FILE")
    parser.add_argument("--chacha-port", type=int, metavar="N", help="a server offering only ChaCha20-Poly1305, which the client must refuse")
    parser.add_argument("--start-modes", action="store_true", help="also start the interpreter the other ways users do")
    parser.add_argument("--moved-copy-root", metavar="DIR", help="the directory the copied trees are relative to")
    parser.add_argument("--moved-copy", action="append", default=[], metavar="DIR", help="a tree to copy for start-moved-copy (repeat)")
    parser.add_argument("--moved-copy-python", metavar="FILE", help="the interpreter inside those trees")
    parser.add_argument("--moved-copy-unavailable", metavar="REASON", help="why this interpreter cannot be copied")
    parser.add_argument("--output", metavar="FILE", help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)
    if (args.tls_port is not None or args.chacha_port is not None) and not args.tls_ca:
        parser.error("--tls-port and --chacha-port need --tls-ca")
    if args.moved_copy_root and not (args.moved_copy and args.moved_copy_python):
        parser.error("--moved-copy-root needs --moved-copy and --moved-copy-python")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Whatever a probe prints must not corrupt the one JSON object on stdout.
    stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        report = build_report(args)
    finally:
        sys.stdout = stdout
    document = json.dumps(report, indent=2, sort_keys=False)
    failed = [c["id"] for c in report["checks"] if c["required"] and not c["passed"]]
    if args.output:
        with open(args.output, "w") as handle:
            handle.write(document + "\n")
        print("fipskit_verify: %d checks, %s" % (len(report["checks"]), "required failed: " + ", ".join(failed) if failed else "all required passed"))
    else:
        print(document)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
