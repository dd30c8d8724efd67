"""fipskit: puts this Python in FIPS mode before OpenSSL is first used, or refuses loudly.

This module and its companions live in the interpreter's zip slot (<prefix>/lib/pythonXY.zip, on
Windows <prefix>\\pythonXY.zip): the first entry of the installation's sys.path however Python is started (-I,
-E, -S, a symlink to it, a moved copy, sys.executable in a child, a venv made from it). Its encodings package, the
first import of every start, puts an import guard ahead of every finder (install_guard), so `import _ssl` and
`import _hashlib` reach fipskit's small wrappers even when PYTHONPATH or the script's directory holds others, and
CPython's built-in hash modules never load. The wrappers call activate(), which

- points OpenSSL at fipskit's FIPS configuration (paths relative to the zip, so the tree can move),
- loads the real _hashlib (and with it libcrypto) and checks that FIPS mode is in force: default
  properties fips=yes, SHA-256 served under them (only the FIPS provider offers fips=yes), and on
  Linux exactly the one libcrypto fipskit built,
- routes Python's built-in hash modules (_md5, _sha256, ...) to OpenSSL, so hashlib cannot fall
  back to CPython's own MD5 (gh-116800),
- lets 3.11's multiprocessing authenticate with HMAC-SHA256, as 3.12 does.

When FIPS mode is not in force, importing _hashlib or _ssl raises FipsModeError with what is wrong
and how to fix it. FIPSKIT_ALLOW_NON_FIPS=1 turns that into a warning, for diagnosis only.
"""
import os
import sys

from _fipskit_layout import LAYOUT

ALLOW_NON_FIPS = "FIPSKIT_ALLOW_NON_FIPS"
# CPython's own hash modules, by every name they had: 3.12 merged _sha256 and _sha512 into _sha2 (HACL*).
ROUTED = ("_md5", "_sha1", "_sha256", "_sha512", "_sha2", "_sha3", "_blake2")
# Modules with no OpenSSL counterpart to route to, which must not load: 3.14's _hmac (HACL* HMAC). Refused with an
# ImportError, which hmac reads as "not built" and answers with OpenSSL's HMAC (or HMAC over the routed hashes).
REFUSED = ("_hmac",)
# fipskit's own modules, which must be the ones that load whatever sys.path holds ahead of the zip slot.
FIRST = ("_ssl", "_hashlib", "sitecustomize", "_fipskit_hashes", "_fipskit_layout")
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


class FipsModeError(RuntimeError):
    """This Python was built to run in FIPS mode, and OpenSSL is not in FIPS mode.

    Deliberately not an ImportError: hashlib and hmac read an ImportError of _hashlib as "no OpenSSL
    here" and quietly compute with CPython's own code instead.
    """


_state = {"activated": False, "problem": None, "warned": False, "modules": {}}


def zip_directory():
    """The directory holding this zip: the layout's relative paths start there."""
    return os.path.dirname(os.path.realpath(os.path.dirname(os.path.abspath(__file__))))


def resolve(path):
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(zip_directory(), path))


def load_extension(name):
    """The real extension module `name` (_ssl, _hashlib) from the path fipskit built it to."""
    module = _state["modules"].get(name)
    if module is None:
        import importlib.machinery
        from _frozen_importlib import module_from_spec
        from _frozen_importlib_external import spec_from_file_location

        directory = resolve(LAYOUT["extensions"][name])
        candidates = [os.path.join(directory, name + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES]
        path = next((candidate for candidate in candidates if os.path.isfile(candidate)), None)
        if path is None:
            raise FipsModeError("fipskit's %s is missing from %s: the Python output is incomplete; build its python stage again" % (name, directory))
        loader = importlib.machinery.ExtensionFileLoader(name, path)
        spec = spec_from_file_location(name, path, loader=loader)
        module = module_from_spec(spec)
        loader.exec_module(module)
        _state["modules"][name] = module
    sys.modules[name] = module
    return module


def activate():
    """Idempotent. Raises FipsModeError when FIPS mode is not in force (unless opted out)."""
    if not _state["activated"]:
        _state["activated"] = True
        # Routing first: whatever happens below, a built-in hash name never computes outside OpenSSL.
        _install_import_hooks()
        _point_openssl_at_fips_configuration()
        try:
            _state["problem"] = _fips_problem(load_extension("_hashlib"))
        except FipsModeError:
            raise
        except Exception as error:  # noqa: BLE001 - a module that cannot load is a reason too
            _state["problem"] = "fipskit's _hashlib could not be loaded (%s: %s)" % (type(error).__name__, error)
    problem = _state["problem"]
    if problem is None:
        return
    message = "this Python runs in FIPS mode only, and FIPS mode is not in force: %s" % problem
    # -I and -E mean "ignore the environment": the opt-out is an environment variable, so they ignore it too.
    if os.environ.get(ALLOW_NON_FIPS) == "1" and not sys.flags.ignore_environment:
        if not _state["warned"]:
            _state["warned"] = True
            sys.stderr.write("fipskit: WARNING: %s. Continuing without FIPS because %s=1.\n" % (message, ALLOW_NON_FIPS))
        return
    # The check loaded the real _hashlib: without this, the next `import _hashlib` (hashlib's) would find it
    # in sys.modules, skip the wrapper, and compute outside FIPS mode without a word.
    for name in ("_hashlib", "_ssl"):
        if sys.modules.get(name) is _state["modules"].get(name):
            sys.modules.pop(name, None)
    raise FipsModeError(message + ". (For diagnosis only, %s=1 runs without FIPS.)" % ALLOW_NON_FIPS)


def activate_at_startup():
    """From sitecustomize: activate before any other code can load a libcrypto; report, never abort."""
    try:
        activate()
    except FipsModeError as error:
        sys.stderr.write("fipskit: %s\n" % error)


def _point_openssl_at_fips_configuration():
    # Set for the whole process, so children that use OpenSSL 3 (another fipskit Python among them)
    # read the same FIPS configuration.
    conf = LAYOUT.get("opensslConf")
    if conf:
        os.environ["OPENSSL_CONF"] = resolve(conf)
        os.environ.pop("OPENSSL_CONF_INCLUDE", None)
    modules = LAYOUT.get("opensslModules")
    if modules:
        os.environ["OPENSSL_MODULES"] = resolve(modules)
    if LAYOUT.get("profile") != "recipe-compatible":
        # pyca/cryptography loads OpenSSL's legacy provider at import unless told not to; FIPS builds have none.
        os.environ.setdefault("CRYPTOGRAPHY_OPENSSL_NO_LEGACY", "1")


def _fips_problem(hashlib_module):
    """What keeps FIPS mode from being in force, or None."""
    conf = os.environ.get("OPENSSL_CONF", "(OpenSSL's compiled-in openssl.cnf)")
    project = LAYOUT.get("project", "<project>")
    if not hashlib_module.get_fips_mode():
        if LAYOUT.get("opensslConf") and not os.path.isfile(conf):
            bundle = _bundle_setup()
            if bundle:
                return (
                    "its FIPS configuration %s does not exist: openssl fipsinstall has not run on this machine yet. "
                    "Run %s (it runs fipsinstall here and writes the configuration)" % (conf, bundle)
                )
            return (
                "its FIPS configuration %s does not exist. This Python must stay beside the fips-config and openssl "
                "outputs it was built with (move them together), or run `nx run %s:fips-config` again" % (conf, project)
            )
        return (
            "OpenSSL did not apply the FIPS configuration %s (default properties are not fips=yes). "
            "Run `openssl list -providers` with OPENSSL_CONF=%s to see why, or run `nx run %s:fips-config` again" % (conf, conf, project)
        )
    try:
        digest = hashlib_module.new("sha256", b"abc").hexdigest()
    except ValueError as error:
        modules = os.environ.get("OPENSSL_MODULES", "OpenSSL's compiled-in module directory")
        if _configuration_mac_changed(conf):
            return (
                "the FIPS provider is not active: the module MAC in %s is not the one fipsinstall wrote for this module "
                "(fips-config.json beside it records that one), so the configuration was changed after fipsinstall ran. "
                "Run `nx run %s:fips-config` on this machine again; OpenSSL need not be rebuilt (%s)" % (conf, project, error)
            )
        return (
            "the FIPS provider is not active: OpenSSL read %s but the provider (in %s) did not start, so its "
            "integrity check or self-tests failed. The module was changed after fipsinstall ran, or the configuration's "
            "MAC is for another copy of it: rebuild it (`nx run %s:openssl --skip-nx-cache`) and run "
            "`nx run %s:fips-config` on this machine (%s)" % (conf, modules, project, project, error)
        )
    if digest != SHA256_ABC:
        return "SHA-256 of b'abc' gave %s, not the known answer" % digest
    return _binding_problem(hashlib_module, conf) or _other_libcrypto()


def _configuration_mac_changed(conf):
    """True when the configuration's module-mac differs from the one fipsinstall wrote (fips-config.json beside it)."""
    import json

    try:
        with open(os.path.join(os.path.dirname(conf), "fips-config.json"), encoding="utf-8") as handle:
            recorded = json.load(handle).get("fipsinstall", {}).get("moduleMac")
        with open(conf, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except (OSError, ValueError, AttributeError):
        return False
    if not isinstance(recorded, str) or not recorded:
        return False
    found = [line.split("=", 1)[1].strip() for line in lines if line.strip().startswith("module-mac") and "=" in line]
    return bool(found) and found[0].upper() != recorded.upper()


def _bundle_setup():
    """In a shipped bundle, the command that writes this machine's FIPS configuration; None elsewhere."""
    directory = zip_directory()
    for _ in range(6):
        setup = os.path.join(directory, "bin", "fipskit-setup")
        if os.path.isfile(setup) and os.path.isfile(os.path.join(directory, "share", "fipskit", "bundle.json")):
            return setup
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return None


def _setup_advice():
    bundle = _bundle_setup()
    if bundle:
        return "Run %s on this machine" % bundle
    return "Run `nx run %s:fips-config` on this machine" % LAYOUT.get("project", "<project>")


def _host_digest(hashlib_module):
    """This machine as fipskit's fips-config stage and fipskit-setup record it: machine id, host name, platform."""
    machine_id = ""
    # The same places, in the same order, as fipskit-setup and the fips-config stage (fipskit keeps the last one).
    for path in ("/etc/machine-id", "/var/lib/dbus/machine-id", "/var/lib/fipskit/machine-id"):
        try:
            with open(path, "rb") as handle:
                machine_id = handle.read().decode("ascii", "replace").strip()
        except OSError:
            continue
        if machine_id:
            break
    identity = "\n".join([machine_id, os.uname().nodename, sys.platform])
    return hashlib_module.new("sha256", identity.encode("utf-8")).hexdigest()


def _binding_problem(hashlib_module, conf):
    """A FIPS configuration written by fipsinstall on another machine is refused (OpenSSL's FIPS security policy)."""
    binding = LAYOUT.get("machineBinding")
    if not binding:
        return None
    path = os.path.join(os.path.dirname(conf), binding)
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return (
            "the FIPS configuration %s has no %s beside it, so nothing says that openssl fipsinstall ran on this machine. "
            "%s" % (conf, binding, _setup_advice())
        )
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            fields[key.strip()] = value.strip()
    if fields.get("kind") == "self-test-onload":
        return None
    if fields.get("kind") != "machine" or not fields.get("host-digest"):
        return "%s is not a machine binding fipskit wrote. %s" % (path, _setup_advice())
    if fields["host-digest"] != _host_digest(hashlib_module):
        return (
            "the FIPS configuration %s was written by openssl fipsinstall on another machine (%s, at %s) and copied here. "
            "OpenSSL's FIPS security policy requires fipsinstall on every machine that uses the module, and its output "
            "must never be copied. %s" % (conf, fields.get("hostname", "?"), fields.get("ran-at", "?"), _setup_advice())
        )
    return None


def _other_libcrypto():
    """Exactly one libcrypto may be loaded, the one fipskit built: on Linux from /proc/self/maps, on Windows from the
    process's module list. Elsewhere verify checks it."""
    expected = LAYOUT.get("libcryptoDir")
    if not expected:
        return None
    if sys.platform.startswith("linux"):
        loaded = _mapped_libcrypto_linux()
    elif sys.platform == "win32":
        loaded = _loaded_libcrypto_windows()
    else:
        return None
    if loaded is None:
        return None
    return libcrypto_problem(loaded, os.path.realpath(resolve(expected)), LAYOUT.get("libcryptoFile"), os.path)


def libcrypto_problem(loaded, directory, file_name, paths):
    """What is wrong with the libcrypto files loaded (paths: os.path, or ntpath to judge Windows paths anywhere)."""
    same = lambda a, b: paths.normcase(a) == paths.normcase(b)  # noqa: E731
    foreign = sorted(
        path
        for path in loaded
        if not same(paths.dirname(path), directory) or (file_name and not same(paths.basename(path), file_name))
    )
    if foreign:
        return (
            "another libcrypto is loaded in this process (%s) beside fipskit's in %s: an extension module linked to it was "
            "imported before ssl/hashlib%s. Remove that module or build it against fipskit's OpenSSL"
            % (
                ", ".join(foreign),
                paths.join(directory, file_name) if file_name else directory,
                ", or an upgrade of this Python put its own _hashlib back (then run fipskit's install again)" if file_name else "",
            )
        )
    if file_name and not loaded:
        return "fipskit's libcrypto %s is not loaded: _hashlib runs on another OpenSSL. Run fipskit's install for this Python again" % paths.join(directory, file_name)
    return None


def _mapped_libcrypto_linux():
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return {os.path.realpath(line.split(None, 5)[5].strip()) for line in maps if "libcrypto" in line and len(line.split(None, 5)) == 6}
    except OSError:
        return None


def _loaded_libcrypto_windows():
    """The libcrypto DLLs in this process's module list (K32EnumProcessModules), by full path; None when it cannot be read."""
    try:
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.GetCurrentProcess.restype = wintypes.HANDLE
        kernel32.K32EnumProcessModules.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.HMODULE), wintypes.DWORD, ctypes.POINTER(wintypes.DWORD)]
        kernel32.K32EnumProcessModules.restype = wintypes.BOOL
        kernel32.GetModuleFileNameW.argtypes = [wintypes.HMODULE, wintypes.LPWSTR, wintypes.DWORD]
        kernel32.GetModuleFileNameW.restype = wintypes.DWORD
        handles = (wintypes.HMODULE * 2048)()
        needed = wintypes.DWORD()
        if not kernel32.K32EnumProcessModules(kernel32.GetCurrentProcess(), handles, ctypes.sizeof(handles), ctypes.byref(needed)):
            return None
        count = min(needed.value // ctypes.sizeof(wintypes.HMODULE), len(handles))
        name = ctypes.create_unicode_buffer(32768)
        loaded = set()
        for handle in handles[:count]:
            length = kernel32.GetModuleFileNameW(handle, name, len(name))
            if length and os.path.basename(name.value).lower().startswith("libcrypto"):
                loaded.add(name.value)
        return loaded
    except (ImportError, OSError, AttributeError):
        return None


# ------------------------------------------------------------------------------------------------
# Import hooks: built-in hash names to OpenSSL, and stdlib modules that need a FIPS-approved algorithm


class _FipskitModulesFirst(object):
    """Ahead of every other finder: fipskit's _ssl, _hashlib and sitecustomize are the ones that load. PYTHONPATH and
    the script's directory come before the zip slot on sys.path: a lib-dynload there (the system's, with -S) would
    load another _hashlib, and a sitecustomize there (coverage's, an APM agent's) would take fipskit's place. Theirs
    still runs: fipskit's sitecustomize runs the next one on sys.path."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if path is not None or name not in FIRST:
            return None
        import importlib.machinery

        return importlib.machinery.PathFinder.find_spec(name, [os.path.dirname(os.path.abspath(__file__))])


class _OpenSslRoutedModules(object):
    """Ahead of the built-in importer: CPython's own hash modules never load."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name in ROUTED or name in REFUSED:
            import importlib.machinery

            return importlib.machinery.ModuleSpec(name, cls, origin="fipskit: OpenSSL")
        return None

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        if module.__name__ in REFUSED:
            raise ImportError(
                "fipskit: %s is CPython's own cryptography, outside OpenSSL's FIPS provider; this FIPS Python does not load it" % module.__name__,
                name=module.__name__,
            )
        import _fipskit_hashes

        module.__dict__.update(_fipskit_hashes.ROUTED[module.__name__])


class _PatchingLoader(object):
    """Runs the real loader, then a fipskit patch on the new module."""

    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        self._patch(module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _StdlibPatches(object):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        patch = PATCHES.get(name)
        if patch is None:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _PatchingLoader(spec.loader, patch)
        return spec


def _hmac_sha256_authentication(connection_module):
    """3.11's multiprocessing authenticates connections with HMAC-MD5, which FIPS refuses; 3.12 uses SHA-256.

    Both ends of a fipskit Python's connection run this code; a peer that still speaks MD5 is refused.
    """
    if sys.version_info >= (3, 12):
        return
    import hmac

    module = connection_module

    def deliver_challenge(connection, authkey):
        if not isinstance(authkey, bytes):
            raise ValueError("Authkey must be bytes, not {0!s}".format(type(authkey)))
        message = os.urandom(module.MESSAGE_LENGTH)
        connection.send_bytes(module.CHALLENGE + message)
        digest = hmac.new(authkey, message, "sha256").digest()
        response = connection.recv_bytes(256)
        if hmac.compare_digest(response, digest):
            connection.send_bytes(module.WELCOME)
        else:
            connection.send_bytes(module.FAILURE)
            raise module.AuthenticationError("digest received was wrong")

    def answer_challenge(connection, authkey):
        if not isinstance(authkey, bytes):
            raise ValueError("Authkey must be bytes, not {0!s}".format(type(authkey)))
        message = connection.recv_bytes(256)
        if message[: len(module.CHALLENGE)] != module.CHALLENGE:
            raise module.AuthenticationError("message = %r" % message)
        digest = hmac.new(authkey, message[len(module.CHALLENGE) :], "sha256").digest()
        connection.send_bytes(digest)
        if connection.recv_bytes(256) != module.WELCOME:
            raise module.AuthenticationError("digest sent was rejected")

    module.deliver_challenge = deliver_challenge
    module.answer_challenge = answer_challenge


def _venv_records_the_real_interpreter(venv_module):
    """venv writes `home = dirname(sys._base_executable)` without resolving links: a venv made through a link to this
    Python (~/bin/fips-python -> .../bin/python3) would name the link's directory, where no installation is, and its
    python would start as the system's. The venv is made to name the directory of the real interpreter."""
    builder = venv_module.EnvBuilder
    original = builder.ensure_directories
    if getattr(original, "_fipskit", False):
        return

    def ensure_directories(self, env_dir):
        context = original(self, env_dir)
        real = os.path.realpath(context.executable)
        context.python_dir, context.python_exe = os.path.split(real)
        return context

    ensure_directories._fipskit = True
    builder.ensure_directories = ensure_directories


PATCHES = {"multiprocessing.connection": _hmac_sha256_authentication, "venv": _venv_records_the_real_interpreter}


def install_guard():
    """From the zip slot's encodings package, the first import of every start (-S, -I and -E included), before site,
    .pth files or the program: the import hooks go in first, so neither a built-in hash module (`python -S -c "import
    _md5"`) nor a _hashlib found earlier on sys.path ever loads. FIPS mode itself is checked at the first use."""
    _install_import_hooks()


def _install_import_hooks():
    hooks = [hook for hook in (_FipskitModulesFirst, _OpenSslRoutedModules, _StdlibPatches) if hook not in sys.meta_path]
    for name in ROUTED + REFUSED:
        # A built-in imported before us (random imports _sha512, 3.12's _sha2) is dropped, so later imports get OpenSSL's.
        # A routed one stays: it may be the very module whose loading brought us here (`python -S -c "import _md5"`).
        if _cpython_own(sys.modules.get(name)):
            sys.modules.pop(name, None)
    connection = sys.modules.get("multiprocessing.connection")
    if connection is not None:
        _hmac_sha256_authentication(connection)
    sys.meta_path[0:0] = hooks


def _cpython_own(module):
    """A module CPython compiled in or built as an extension, as opposed to a routed one."""
    if module is None:
        return False
    import importlib.machinery

    loader = getattr(getattr(module, "__spec__", None), "loader", None)
    return loader is importlib.machinery.BuiltinImporter or isinstance(loader, importlib.machinery.ExtensionFileLoader)


def run_next_sitecustomize():
    """Runs the sitecustomize this Python would have run without fipskit (Debian's, a venv's)."""
    import importlib.machinery
    from _frozen_importlib import module_from_spec

    here = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    later = [entry for entry in sys.path if entry and os.path.realpath(entry) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", later)
    if spec is None or spec.loader is None:
        return
    try:
        module = module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - as site.py reports a failing sitecustomize
        sys.stderr.write("Error in sitecustomize %s: %s: %s\n" % (spec.origin, type(error).__name__, error))
