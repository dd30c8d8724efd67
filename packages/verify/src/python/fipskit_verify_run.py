"""Runs fipskit's FIPS verification where the Python is, and writes its evidence (stdlib only, Python 3.8+).

The one implementation of the verify stage's run, started in the interpreter under test itself (-I -S -B) two ways:

- `--config FILE`: by the verify stage (the Nx executor), with a JSON file of what it resolved from its options.
  Progress goes to stdout as `fipskit-verify:<kind> <text>` lines the stage shows (step, info; log lines too when
  verbose; error lines for a failure that leaves no report), the tools' output to the stage's log file, and the five
  outputs into the directory the stage names (a staging directory it publishes), nothing else there.
- `--bundle ROOT`: by a fipskit bundle's bin/fipskit-verify on the machine it was unpacked on, with no Node.js there.
  It first checks every file the bundle shipped against its manifest (share/fipskit/bundle.json): a changed,
  missing or added file fails, naming it. Progress goes to stdout as `[fipskit-verify] ...`, the log and the outputs
  to <bundle>/verify (or --output).

Either way it makes a throwaway CA and server certificate with the prefix's openssl in FIPS mode and starts two TLS
servers on 127.0.0.1 (one in FIPS mode, one offering only ChaCha20-Poly1305, which the client must refuse); runs
fipskit_verify.py, the checks, inside the interpreter, started with none of the variables that could hand it a FIPS
setup it does not have on its own; and writes report.json, summary.txt, evidence.md, evidence.html and
sbom.cdx.json with fipskit_evidence.

This process imports nothing that needs OpenSSL (no hashlib, ssl, random, tempfile or uuid), so a broken FIPS setup
is reported, never a crash. Files are hashed with sha256sum, or the prefix's openssl with an empty configuration
(Windows has no sha256sum).

Exit status: 0 when FIPS mode is in force (and, for a bundle, every file is as shipped), 1 when not or when no report
could be made, 2 on a usage error.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

import fipskit_evidence as evidence  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFY_SCRIPT = os.path.join(HERE, "fipskit_verify.py")
TLS_HOST = "127.0.0.1"
CHACHA20_ONLY = ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_CHACHA20_POLY1305_SHA256")
# Variables that would hand the interpreter a FIPS setup it does not have on its own (or a different one).
ISOLATED_VARIABLES = (
    "OPENSSL_CONF",
    "OPENSSL_CONF_INCLUDE",
    "OPENSSL_MODULES",
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "DYLD_LIBRARY_PATH",
    "DYLD_INSERT_LIBRARIES",
    "PYTHONPATH",
    "PYTHONHOME",
)
SERVER_EXTENSIONS = (
    "basicConstraints = critical,CA:FALSE\n"
    "keyUsage = critical,digitalSignature\n"
    "extendedKeyUsage = serverAuth\n"
    "subjectAltName = IP:%s\n" % TLS_HOST
)
P256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
EMPTY_CONF = "# no configuration: OpenSSL's default provider\n"
# The bundle's record of itself: every other file's SHA-256 (its own is reported, for comparison with the build's).
MANIFEST = "share/fipskit/bundle.json"
# The build's SBOM of the bundle: every shipped file's SHA-256, which fipskit-verify compares the files with.
BUNDLE_SBOM = "share/fipskit/sbom.cdx.json"
# Written by the bundle's Python itself (bytecode caches) or by these tools: never part of what was shipped.
NOT_SHIPPED = ("__pycache__",)
# The verify stage reads the lines that start with this from stdout: `fipskit-verify:step Run the checks inside ...`.
STAGE_LINE = "fipskit-verify:"
CHECKS_OUTPUT_TAIL = 30
SERVER_OUTPUT_TAIL = 20
SERVER_START_ATTEMPTS = 3
WRITE_STEP = "Write report.json, summary.txt, the auditor report (evidence.md, evidence.html) and the SBOM (sbom.cdx.json)"


class VerifyError(Exception):
    """A failure that leaves no report; its message says what failed and what to do."""


class UsageError(Exception):
    """The run was asked for wrongly (exit status 2)."""


# ---------------------------------------------------------------------------------------------------
# Progress and the log


class Progress(object):
    """A bundle's: `[fipskit-verify] ...` on stdout (unless quiet), everything in the log file."""

    def __init__(self, log_file, quiet=False):
        self.log_file = log_file
        self.quiet = quiet
        self.lock = threading.Lock()

    def step(self, text):
        self.say(text)
        self.log("== " + text, echo=False)

    def info(self, text):
        self.say(text)
        self.log("# " + text, echo=False)

    def say(self, text):
        if not self.quiet:
            with self.lock:
                sys.stdout.write("[fipskit-verify] %s\n" % text)
                sys.stdout.flush()

    def log(self, text, echo=True):
        """Into the log file; `echo`: the tools' own output, which a verbose stage also shows."""
        with self.lock:
            with open(self.log_file, "a", encoding="utf-8", errors="replace") as handle:
                handle.write(text.rstrip("\n") + "\n")

    def error(self, message):
        sys.stderr.write("fipskit-verify: %s\n" % message)
        sys.stderr.flush()


class StageProgress(Progress):
    """The verify stage's: steps and notes as `fipskit-verify:` lines for its StageLog (which writes them into the log),
    the tools' output in the log file, and on stdout as well when verbose."""

    def __init__(self, log_file, verbose=False):
        Progress.__init__(self, log_file)
        self.verbose = verbose

    def emit(self, kind, text):
        with self.lock:
            for line in text.splitlines() or [""]:
                sys.stdout.write("%s%s %s\n" % (STAGE_LINE, kind, line))
            sys.stdout.flush()

    def step(self, text):
        self.emit("step", text)

    def info(self, text):
        self.emit("info", text)

    def log(self, text, echo=True):
        Progress.log(self, text)
        if self.verbose and echo:
            self.emit("log", text.rstrip("\n"))

    def error(self, message):
        self.emit("error", message)


def make_dir(parent, prefix):
    """A new private directory (no tempfile: it imports random, which needs OpenSSL in a fipskit Python)."""
    for _ in range(100):
        path = os.path.join(parent, "%s%s" % (prefix, os.urandom(6).hex()))
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue
    raise VerifyError("could not make a directory in %s" % parent)


def read_json(path):
    with open(path, "r", encoding="utf-8", errors="replace", newline="") as handle:
        return evidence.parse_json(handle.read())


_POSIX_SAFE = re.compile(r"[A-Za-z0-9_\-+=.,/:@%^]+\Z")


def describe_command(command):
    """A command as a person would type it, quoted for this platform's shell."""
    return " ".join(_quote_cmd(a) if sys.platform == "win32" else _quote_posix(a) for a in command)


def _quote_posix(arg):
    return arg if arg and _POSIX_SAFE.match(arg) else "'%s'" % arg.replace("'", "'\\''")


def _quote_cmd(arg):
    """As MSVC's CRT parses a command line (CommandLineToArgvW rules)."""
    if arg and not re.search(r'[\s"]', arg):
        return arg
    out, backslashes = '"', 0
    for ch in arg:
        if ch == "\\":
            backslashes += 1
            continue
        out += "\\" * (backslashes * 2 + 1) + '"' if ch == '"' else "\\" * backslashes + ch
        backslashes = 0
    return out + "\\" * (backslashes * 2) + '"'


def _hidden():
    """No console window for the tools on Windows."""
    return {"creationflags": getattr(subprocess, "CREATE_NO_WINDOW", 0)} if sys.platform == "win32" else {}


# ---------------------------------------------------------------------------------------------------
# OpenSSL: the prefix's program in FIPS mode, and as a hasher


class OpenSsl(object):
    """The prefix's openssl program with what puts it in FIPS mode: its configuration, its modules, and its libraries
    first on the platform's library search path (LD_LIBRARY_PATH, DYLD_LIBRARY_PATH, or PATH on Windows)."""

    def __init__(self, program, conf, modules_dir, library_variable, library_dir, separator):
        self.program = program
        self.conf = conf
        self.modules_dir = modules_dir
        self.library_variable = library_variable
        self.library_dir = library_dir
        self.separator = separator

    def environment(self, conf=None):
        """This process's environment with the prefix's setup; `conf` replaces the FIPS configuration."""
        env = dict(os.environ)
        env["OPENSSL_CONF"] = conf or self.conf
        env["OPENSSL_MODULES"] = self.modules_dir
        env.pop("OPENSSL_CONF_INCLUDE", None)
        current = env.get(self.library_variable)
        env[self.library_variable] = self.library_dir + (self.separator + current if current else "")
        return env


class Hasher(object):
    """SHA-256 of files without this process's OpenSSL: sha256sum, else the prefix's openssl outside FIPS mode."""

    def __init__(self, openssl, work):
        self.openssl = openssl
        self.work = work
        self.known = {}

    def many(self, paths):
        wanted = [p for p in paths if p not in self.known and os.path.isfile(p)]
        for start in range(0, len(wanted), 200):
            for line in self._run(wanted[start : start + 200]).splitlines():
                # GNU's format marks a name it escaped (a backslash or a newline in it) with a leading backslash.
                escaped = line.startswith("\\")
                digest, _, name = line[1 if escaped else 0 :].partition(" ")
                name = name.lstrip(" *")
                if escaped:
                    name = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), name)
                if len(digest) == 64 and name:
                    self.known[name] = digest.lower()
        return dict((p, self.known.get(p)) for p in paths)

    def __call__(self, path):
        return self.many([path])[path] or "missing"

    def _run(self, paths):
        # A sha256sum on Windows (Git's) escapes every name with a backslash in it: the prefix's openssl there.
        if sys.platform != "win32" and shutil.which("sha256sum"):
            command = ["sha256sum", "--"] + paths
            env = None
        else:
            empty = os.path.join(self.work, "empty.cnf")
            with open(empty, "w", encoding="utf-8") as handle:
                handle.write(EMPTY_CONF)
            command = [self.openssl.program, "dgst", "-sha256", "-r"] + paths
            env = self.openssl.environment(empty)
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, check=False, **_hidden())
        return result.stdout.decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------------
# The TLS test servers


class Tool(object):
    """One run of a program, its output going to the log (and, when it fails, into the error)."""

    def __init__(self, progress, title, command, env, cwd):
        self.progress = progress
        self.title = title
        self.command = command
        self.cwd = cwd
        progress.log("\n$ %s\n  (cwd: %s)" % (describe_command(command), cwd), echo=False)
        try:
            self.process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **_hidden())
            self.error = None
        except OSError as error:
            self.process, self.error = None, error

    def finish(self):
        """None when it succeeded, else what to report."""
        if self.process is None:
            return "%s failed: %s could not be started (in %s): %s." % (self.title, describe_command(self.command), self.cwd, self.error)
        output = self.process.communicate()[0].decode("utf-8", "replace")
        if output:
            self.progress.log(output)
        if self.process.returncode == 0:
            return None
        tail = output.splitlines()[-40:]
        lines = ["%s failed: %s exited with code %d (in %s)." % (self.title, describe_command(self.command), self.process.returncode, self.cwd)]
        if tail:
            lines += ["Last lines of its output:"] + ["  " + line for line in tail]
        lines.append("Full log: %s" % self.progress.log_file)
        return "\n".join(lines)


def certificate_commands(work):
    """A throwaway CA and a server certificate it signed, all made by the FIPS provider (P-256, SHA-256, one day):
    [(title, arguments)] for the CA, the server's key and request, and the signature."""
    f = lambda name: os.path.join(work, name)  # noqa: E731
    return [
        (
            "create a throwaway CA (FIPS mode)",
            ["req", "-x509"] + P256 + ["-sha256", "-days", "1", "-nodes", "-subj", "/CN=fipskit throwaway test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-keyout", f("ca.key"), "-out", f("ca.pem")],
        ),
        (
            "create the server key and request (FIPS mode)",
            ["req", "-new"] + P256 + ["-sha256", "-nodes", "-subj", "/CN=" + TLS_HOST, "-keyout", f("server.key"), "-out", f("server.csr")],
        ),
        (
            "sign the server certificate (FIPS mode)",
            ["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial",
             "-days", "1", "-sha256", "-extfile", f("server.ext"), "-out", f("server.pem")],
        ),
    ]


def tls_material(openssl, progress, work):
    """Makes the CA and the server certificate in `work`. The CA and the server's key and request do not need each
    other: they are made side by side (both finished before a failure of either is reported), then the signature."""
    with open(os.path.join(work, "server.ext"), "w", encoding="utf-8") as handle:
        handle.write(SERVER_EXTENSIONS)
    env = openssl.environment()
    (ca_title, ca), (request_title, request), (sign_title, sign) = certificate_commands(work)
    started = [Tool(progress, ca_title, [openssl.program] + ca, env, work), Tool(progress, request_title, [openssl.program] + request, env, work)]
    failures = [problem for problem in [tool.finish() for tool in started] if problem]
    if failures:
        raise VerifyError(failures[0])
    problem = Tool(progress, sign_title, [openssl.program] + sign, env, work).finish()
    if problem:
        raise VerifyError(problem)
    return {"caFile": os.path.join(work, "ca.pem"), "certFile": os.path.join(work, "server.pem"), "keyFile": os.path.join(work, "server.key")}


def free_port():
    """A port the kernel just handed out on loopback; free now, though not reserved."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((TLS_HOST, 0))
        return probe.getsockname()[1]


def accepts(port):
    try:
        with socket.create_connection((TLS_HOST, port), timeout=1):
            return True
    except OSError:
        return False


def server_command(program, material, port, offer=None):
    # -www answers every connection until the server is stopped; -accept host:port keeps it on loopback.
    command = [program, "s_server", "-accept", "%s:%d" % (TLS_HOST, port), "-cert", material["certFile"], "-key", material["keyFile"], "-www"]
    if offer:
        command += ["-cipher", offer[0], "-ciphersuites", offer[1]]
    return command


class TlsServer(object):
    """`openssl s_server` on a free loopback port, its output in the log under `label`."""

    def __init__(self, program, env, material, work, progress, label, offer=None, ports=None, timeout=15.0):
        self.program = program
        self.env = env
        self.material = material
        self.work = work
        self.progress = progress
        self.label = label
        self.offer = offer
        self.ports = ports
        self.timeout = timeout
        self.attempts = 0
        self.port = None
        self.process = None
        self.command = None
        self.tail = []
        self.relay = None
        self.deadline = None

    def launch(self):
        self.attempts += 1
        self.port = next(self.ports) if self.ports is not None else free_port()
        self.command = server_command(self.program, self.material, self.port, self.offer)
        self.tail = []
        self.progress.log("\n$ %s\n  (cwd: %s)" % (describe_command(self.command), self.work), echo=False)
        try:
            self.process = subprocess.Popen(
                self.command, env=self.env, cwd=self.work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **_hidden()
            )
        except OSError as error:
            self.process = None
            return "could not be started: %s" % error
        self.relay = threading.Thread(target=self._relay, args=(self.process,), daemon=True)
        self.relay.start()
        self.deadline = time.time() + self.timeout
        return None

    def _relay(self, process):
        for raw in iter(process.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.tail = (self.tail + [line])[-SERVER_OUTPUT_TAIL:]
            self.progress.log("%s%s" % (self.label, line))
        process.stdout.close()

    def wait(self):
        """None once the server listens, else how it failed. It listens when it said ACCEPT and the port takes a
        connection (or, should it never say so, when the port has taken them for half a second): a port that
        accepts alone may be another program's, and then this server is about to exit."""
        accepting_since = None
        while self.process.poll() is None:
            if accepts(self.port):
                accepting_since = accepting_since or time.time()
                if "ACCEPT" in self.tail or time.time() - accepting_since >= 0.5:
                    break
            else:
                accepting_since = None
            if time.time() > self.deadline:
                return "did not accept connections within %g s" % self.timeout
            time.sleep(0.01)
        if self.process.poll() is None:
            return None
        self._join()
        code = self.process.returncode
        return "exited with code %d" % code if code >= 0 else "exited with signal %d" % -code

    def failure(self, how):
        lines = ["The TLS test server %s %s." % (describe_command(self.command or [self.program, "s_server"]), how)]
        if self.tail:
            lines += ["Its output:"] + ["  " + line for line in self.tail]
        return "\n".join(lines)

    def port_was_taken(self):
        """Another process may have taken the port between our probe and the server's bind."""
        return any(re.search("address already in use|bind|EADDRINUSE", line, re.IGNORECASE) for line in self.tail)

    def stop(self):
        """Stops the server; safe to call more than once."""
        stop(self.process)
        self._join()

    def _join(self):
        if self.relay is not None:
            self.relay.join(5)


def start_tls_servers(servers):
    """Starts the servers side by side and returns once each accepts connections. When one cannot start, every one is
    stopped (once all have settled) and the first failure raised; a server whose port was taken meanwhile tries
    another, up to three times in all."""
    failures = []
    waiting = []
    for server in servers:
        how = server.launch()
        if how is None:
            waiting.append(server)
        else:
            failures.append(server.failure(how))
    while waiting:
        relaunched = []
        for server in waiting:
            how = server.wait()
            if how is None:
                continue
            server.stop()
            if server.port_was_taken() and server.attempts < SERVER_START_ATTEMPTS:
                how = server.launch()
                if how is None:
                    relaunched.append(server)
                    continue
            failures.append(server.failure(how))
        waiting = relaunched
    if failures:
        for server in servers:
            server.stop()
        raise VerifyError(failures[0])


def stop(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---------------------------------------------------------------------------------------------------
# The checks inside the interpreter


def checks_arguments(script, expectations, output_file):
    args = [script, "--expected-openssl-version", expectations["opensslVersion"]]
    if expectations.get("fipsProviderVersion"):
        args += ["--expected-fips-version", expectations["fipsProviderVersion"]]
    if expectations.get("libcryptoDir"):
        args += ["--expected-libcrypto-dir", expectations["libcryptoDir"]]
    args += ["--profile", expectations["profile"]]
    tls = expectations.get("tls")
    if tls:
        args += ["--tls-host", tls["host"], "--tls-port", str(tls["port"]), "--tls-ca", tls["caFile"]]
        if expectations.get("chachaPort") is not None:
            args += ["--chacha-port", str(expectations["chachaPort"])]
    if expectations.get("startModes"):
        args.append("--start-modes")
    moved = expectations.get("movedCopy")
    if moved and "unavailable" in moved:
        args += ["--moved-copy-unavailable", moved["unavailable"]]
    if moved and "root" in moved:
        args += ["--moved-copy-root", moved["root"]]
        for tree in moved["trees"]:
            args += ["--moved-copy", tree]
        args += ["--moved-copy-python", moved["python"]]
    return args + ["--output", output_file]


def isolated_environment(activation=None):
    """This process's environment without the isolated variables, plus what the activation sets (fips-env)."""
    env = dict(os.environ)
    for name in ISOLATED_VARIABLES:
        env.pop(name, None)
    env.update(activation or {})
    return env


def check_script_report(text):
    """The parsed report, or what is wrong with the text."""
    try:
        report = evidence.parse_json(text)
    except ValueError as error:
        return "its report is not JSON: %s" % error
    if not isinstance(report, dict) or not isinstance(report.get("checks"), list) or not isinstance(report.get("interpreter"), dict):
        return "its report has no checks"
    return report


def run_checks(python, expectations, activation, work, progress):
    """Runs fipskit_verify.py inside the interpreter and reads its JSON. The script exits 1 when a required check
    failed; only a missing or unreadable report is an error here."""
    output_file = os.path.join(work, "checks.json")
    command = [python] + checks_arguments(VERIFY_SCRIPT, expectations, output_file)
    progress.log("\n$ %s\n  (cwd: %s)" % (describe_command(command), work), echo=False)
    tail = []
    try:
        process = subprocess.Popen(
            command, env=isolated_environment(activation), cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **_hidden()
        )
    except OSError as error:
        raise VerifyError("%s could not be started: %s. Full log: %s" % (python, error, progress.log_file))
    for raw in iter(process.stdout.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        tail = (tail + [line])[-CHECKS_OUTPUT_TAIL:]
        progress.log(line)
    process.stdout.close()
    code = process.wait()
    if os.path.exists(output_file):
        with open(output_file, "r", encoding="utf-8", errors="replace", newline="") as handle:
            report = check_script_report(handle.read())
    else:
        report = "it wrote no report"
    if isinstance(report, str):
        lines = [
            "%s did not produce a FIPS verification report (exit code %d; %s): the interpreter crashed or is not a working Python 3.8+. "
            "Run it by hand to see why." % (python, code, report)
        ]
        if tail:
            lines += ["Last lines of its output:"] + ["  " + line for line in tail]
        lines.append("Full log: %s" % progress.log_file)
        raise VerifyError("\n".join(lines))
    return report


# ---------------------------------------------------------------------------------------------------
# One verification, whichever way it was asked for


class Subject(object):
    """What one run verifies: the interpreter, the OpenSSL prefix it must use, and what it is held to."""

    def __init__(self, **fields):
        self.python = fields["python"]
        self.python_shown = fields.get("python_shown") or fields["python"]
        self.activation = fields.get("activation") or {}
        self.openssl = fields["openssl"]
        self.prefix = fields["prefix"]
        self.build_info = fields["build_info"]
        self.fips_config_dir = fields["fips_config_dir"]
        self.audit_file = fields["audit_file"]
        self.project = fields["project"]
        # opensslVersion, fipsProviderVersion, libcryptoDir, profile, startModes, movedCopy.
        self.expectations = fields["expectations"]
        self.tls = fields["tls"]
        self.certificates = fields["certificates"]
        self.target_configuration = fields.get("target_configuration")
        self.fipskit_version = fields["fipskit_version"]


def run_verification(subject, progress, work):
    """Serves TLS when asked and the configuration allows, and runs the checks in the interpreter: (the script's
    report, the expectations it ran with, the TLS server as host:port or None). The servers are stopped before it
    returns, whatever happened."""
    expectations = dict(subject.expectations)
    tls_server = None
    servers = []
    try:
        if subject.tls and os.path.isfile(subject.openssl.conf):
            progress.step("Create a throwaway CA and server certificate with %s in FIPS mode" % subject.openssl.program)
            material = tls_material(subject.openssl, progress, work)
            progress.step(
                "Start two TLS servers on %s: openssl s_server in FIPS mode, and one offering only ChaCha20-Poly1305 (default provider) "
                "that the client must refuse" % TLS_HOST
            )
            empty = os.path.join(work, "default-provider.cnf")
            with open(empty, "w", encoding="utf-8") as handle:
                handle.write(EMPTY_CONF)
            fips_server = TlsServer(subject.openssl.program, subject.openssl.environment(), material, work, progress, "[s_server] ")
            # The same openssl with an empty configuration: OpenSSL's default provider, outside FIPS mode.
            chacha = TlsServer(subject.openssl.program, subject.openssl.environment(empty), material, work, progress, "[s_server chacha20] ", CHACHA20_ONLY)
            servers = [fips_server, chacha]
            start_tls_servers(servers)
            progress.info("s_server is listening on %s:%d, the ChaCha20-only server on %s:%d" % (TLS_HOST, fips_server.port, TLS_HOST, chacha.port))
            expectations["tls"] = {"host": TLS_HOST, "port": fips_server.port, "caFile": material["caFile"]}
            expectations["chachaPort"] = chacha.port
            tls_server = "%s:%d" % (TLS_HOST, fips_server.port)
        elif subject.tls:
            progress.info("No FIPS configuration at %s: the TLS checks need one (run bin/fipskit-setup first); the other checks say why" % subject.openssl.conf)
        progress.step("Run the checks inside %s" % subject.python)
        script_report = run_checks(subject.python, expectations, subject.activation, work, progress)
    finally:
        for server in servers:
            server.stop()
    return script_report, expectations, tls_server


def planned_checks(expectations):
    """Every check the script was asked for (a check it did not report fails)."""
    return evidence.expected_checks(
        expectations["profile"], "tls" in expectations, expectations.get("chachaPort"), expectations.get("startModes"), expectations.get("movedCopy"), sys.platform
    )


def make_report(subject, script_report, planned, tls_server, hasher, generated_at, host):
    """report.json's content: the script's report, the module that ran, the verdicts."""
    fips_module = evidence.describe_fips_module(script_report.get("fips_module"), subject.build_info, subject.audit_file, subject.project, hasher)
    context = {
        "generatedAt": generated_at,
        "host": host,
        "python": subject.python_shown,
        "prefix": subject.prefix,
        "opensslVersion": subject.build_info["version"],
        "fipsProviderVersion": subject.build_info["fipsProvider"]["version"],
        "profile": subject.expectations["profile"],
        "plannedChecks": planned,
        "fipsModule": fips_module,
        "targetConfiguration": subject.target_configuration,
    }
    if tls_server is not None:
        context["tlsServer"] = tls_server
    return evidence.build_report(script_report, context, subject.certificates)


def write_outputs(subject, report, hasher, output_dir):
    """Writes the five outputs into `output_dir` (and nothing else there); returns their texts by name."""
    collected = evidence.collect_evidence(report, subject.prefix, subject.build_info, subject.fips_config_dir, subject.python_shown, hasher)
    evidence.record_binding(report, collected)
    sections = evidence.auditor_sections(collected)
    outputs = {
        evidence.REPORT_FILE: evidence.json_text(report) + "\n",
        evidence.SUMMARY_FILE: evidence.render_summary(report),
        evidence.EVIDENCE_MARKDOWN: evidence.render_markdown(sections),
        evidence.EVIDENCE_HTML: evidence.render_html(sections),
        evidence.SBOM_FILE: evidence.sbom_json(collected, report["generatedAt"], subject.fipskit_version),
    }
    for name, text in outputs.items():
        with open(os.path.join(output_dir, name), "wb") as handle:
            handle.write(evidence.encode_text(text))
    return outputs


def this_host():
    return os.uname().nodename if hasattr(os, "uname") else socket.gethostname()


def iso_now():
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % int((now % 1) * 1000)


# ---------------------------------------------------------------------------------------------------
# --config: the verify stage


def load_config(path):
    """The verify stage's JSON; a missing key is a usage error."""
    try:
        config = read_json(path)
    except (OSError, ValueError) as error:
        raise UsageError("cannot read the configuration %s: %s" % (path, error))
    required = ["python", "openssl", "prefix", "expectations", "tls", "fipsConfigDir", "auditFile", "projectName", "certificatesFile", "outputDir", "logFile", "workParent", "fipskitVersion"]
    missing = [key for key in required if not isinstance(config, dict) or key not in config]
    if missing:
        raise UsageError("the configuration %s lacks %s" % (path, ", ".join(missing)))
    return config


def stage_subject(config):
    try:
        openssl = config["openssl"]
        library = openssl["libraryPath"]
        fields = dict(
            python=config["python"],
            python_shown=config.get("pythonShown"),
            activation=config.get("activationEnvironment"),
            openssl=OpenSsl(openssl["program"], openssl["conf"], openssl["modulesDir"], library["variable"], library["directory"], library["separator"]),
            prefix=config["prefix"],
            fips_config_dir=config["fipsConfigDir"],
            audit_file=config["auditFile"],
            project=config["projectName"],
            expectations=config["expectations"],
            tls=config["tls"],
            target_configuration=config.get("targetConfiguration"),
            fipskit_version=config["fipskitVersion"],
        )
    except (KeyError, TypeError) as error:
        raise UsageError("the configuration lacks %s" % error)
    for field, path in (("build_info", os.path.join(config["prefix"], "build-info.json")), ("certificates", config["certificatesFile"])):
        try:
            fields[field] = read_json(path)
        except (OSError, ValueError) as error:
            raise VerifyError("cannot read %s: %s" % (path, error))
    return Subject(**fields)


def verify_stage(config_file):
    config = load_config(config_file)
    progress = StageProgress(config["logFile"], bool(config.get("verbose")))
    subject = stage_subject(config)
    work = make_dir(config["workParent"], "fipskit-verify-")
    try:
        hasher = Hasher(subject.openssl, work)
        script_report, expectations, tls_server = run_verification(subject, progress, work)
        report = make_report(
            subject, script_report, planned_checks(expectations), tls_server, hasher, config.get("generatedAt") or iso_now(), config.get("host") or this_host()
        )
        progress.step(WRITE_STEP)
        write_outputs(subject, report, hasher, config["outputDir"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if report["passed"] else 1


# ---------------------------------------------------------------------------------------------------
# --bundle: a shipped bundle on its target


class Bundle(object):
    def __init__(self, root):
        self.root = os.path.realpath(root)
        manifest = os.path.join(self.root, *MANIFEST.split("/"))
        self.manifest_file = manifest
        try:
            self.manifest = read_json(manifest)
        except (OSError, ValueError) as error:
            raise UsageError("%s is not a fipskit bundle (%s)" % (self.root, error))
        m = self.manifest
        self.python = os.path.join(self.root, m["python"]["launcher"])
        self.prefix = os.path.join(self.root, m["openssl"]["prefix"])
        self.fips_config = os.path.join(self.root, m["fipsConfig"])
        self.build_info = read_json(os.path.join(self.prefix, "build-info.json"))
        layout = self.build_info["layout"]
        self.lib_dir = os.path.join(self.prefix, layout["lib"])
        # Bundles are made for Linux.
        self.openssl = OpenSsl(
            os.path.join(self.prefix, layout["bin"], "openssl"),
            os.path.join(self.fips_config, "openssl.cnf"),
            os.path.join(self.prefix, layout["modules"]),
            "LD_LIBRARY_PATH",
            self.lib_dir,
            ":",
        )

    def subject(self, tls):
        return Subject(
            python=self.python,
            openssl=self.openssl,
            prefix=self.prefix,
            build_info=self.build_info,
            fips_config_dir=self.fips_config,
            audit_file=os.path.join(self.root, "share", "fipskit", "audit.json"),
            project=self.manifest["project"],
            expectations={
                "opensslVersion": self.manifest["openssl"]["version"],
                "fipsProviderVersion": self.manifest["openssl"]["fipsProvider"]["version"],
                "libcryptoDir": self.lib_dir,
                "profile": self.manifest["profile"],
                "startModes": True,
                "movedCopy": {
                    "root": self.root,
                    "trees": [os.path.dirname(os.path.dirname(self.python)), self.prefix, self.fips_config],
                    "python": self.python,
                },
            },
            tls=tls,
            certificates=read_json(os.path.join(HERE, "cmvp-certificates.json")),
            fipskit_version=self.manifest.get("fipskitVersion", "0.0.0"),
        )


def sbom_file_digests(bundle):
    """The SHA-256 of every file the build's SBOM of the bundle lists, by bundle path; None without that SBOM."""
    try:
        with open(os.path.join(bundle.root, *BUNDLE_SBOM.split("/")), encoding="utf-8") as handle:
            sbom = json.load(handle)
    except (OSError, ValueError):
        return None
    digests = {}
    for component in sbom.get("components", []):
        if component.get("type") != "file":
            continue
        for digest in component.get("hashes", []):
            if digest.get("alg") == "SHA-256":
                digests[component.get("name")] = digest.get("content")
    return digests


def shipped_files_check(bundle, hasher, output_dir):
    """Every file the bundle shipped has the SHA-256 the build's SBOM gives it, and the mode and link target its
    manifest records; nothing was added to the shipped trees."""
    files = bundle.manifest["files"]
    paths = dict((rel, os.path.join(bundle.root, *rel.split("/"))) for rel in files)
    digests = hasher.many([p for rel, p in paths.items() if "sha256" in files[rel]])
    sbom = sbom_file_digests(bundle)
    changed, missing, modes, links = [], [], [], []
    if sbom is None:
        missing.append(BUNDLE_SBOM)
        sbom = {}
    unlisted = sorted(rel for rel, record in files.items() if "sha256" in record and sbom and sbom.get(rel) != record["sha256"])
    for rel in sorted(files):
        record, path = files[rel], paths[rel]
        if "symlink" in record:
            if not os.path.islink(path):
                missing.append(rel)
            elif os.readlink(path) != record["symlink"]:
                links.append("%s -> %s (shipped -> %s)" % (rel, os.readlink(path), record["symlink"]))
            continue
        if os.path.islink(path) or not os.path.isfile(path):
            missing.append(rel)
        elif digests.get(path) != sbom.get(rel, record["sha256"]):
            changed.append("%s (SHA-256 %s, shipped %s)" % (rel, digests.get(path) or "unreadable", sbom.get(rel, record["sha256"])))
        elif "0%o" % (os.lstat(path).st_mode & 0o777) != record["mode"]:
            modes.append("%s (mode 0%o, shipped %s)" % (rel, os.lstat(path).st_mode & 0o777, record["mode"]))
    added = added_files(bundle, files, output_dir)
    problems = []
    if changed:
        problems.append("changed: " + "; ".join(changed))
    if missing:
        problems.append("missing: " + ", ".join(missing))
    if links:
        problems.append("links changed: " + "; ".join(links))
    if modes:
        problems.append("modes changed: " + "; ".join(modes))
    if added:
        problems.append("not shipped: " + ", ".join(added))
    if unlisted:
        problems.append("the SBOM and bundle.json disagree on: " + ", ".join(unlisted))
    counted = "%d files and links of %s" % (len(files), bundle.manifest["name"])
    return {
        "id": "bundle-files-unchanged",
        "title": "Every file the bundle shipped is on this machine as it was built (the build's SBOM, share/fipskit/sbom.cdx.json)",
        "required": True,
        "passed": not problems,
        "detail": ("%s: %s" % (counted, " | ".join(problems))) if problems else "%s are as shipped (SHA-256 as the build's SBOM lists them, modes and link targets as bundle.json records them)" % counted,
    }


def added_files(bundle, files, output_dir):
    """Files in the shipped trees that the bundle did not ship: a planted module or library is drift too."""
    skip = set(os.path.realpath(p) for p in (bundle.fips_config, output_dir))
    found = []
    for top in sorted(set(rel.split("/")[0] for rel in files)):
        for directory, dirs, names in os.walk(os.path.join(bundle.root, top)):
            # Links to directories are entries of their own (the manifest records their targets); they are not entered.
            links = [d for d in dirs if os.path.islink(os.path.join(directory, d))]
            dirs[:] = sorted(
                d for d in dirs
                if d not in links and d not in NOT_SHIPPED and os.path.realpath(os.path.join(directory, d)) not in skip
            )
            for name in sorted(names + links):
                rel = os.path.relpath(os.path.join(directory, name), bundle.root).replace(os.sep, "/")
                if rel not in files and rel not in (MANIFEST, BUNDLE_SBOM):
                    found.append(rel)
    return found


def target_description(host):
    """What the evidence says of the machine it ran on: host, operating system, and whether it is a container."""
    description = {"host": host}
    try:
        with open("/etc/os-release", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    description["os"] = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    if os.path.exists("/run/.containerenv"):
        description["container"] = "podman"
    elif os.path.exists("/.dockerenv"):
        description["container"] = "docker"
    description["fipsSwitch"] = read_first("/proc/sys/crypto/fips_enabled")
    return description


def read_first(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return None


def verify_bundle(args):
    bundle = Bundle(args.bundle)
    subject = bundle.subject(args.tls)
    output_dir = os.path.realpath(args.output or os.path.join(bundle.root, "verify"))
    os.makedirs(output_dir, exist_ok=True)
    log_file = os.path.join(output_dir, "verify.log")
    if os.path.exists(log_file):
        os.remove(log_file)
    progress = Progress(log_file, args.quiet)
    work = make_dir(output_dir, ".work-")
    try:
        hasher = Hasher(subject.openssl, work)
        host = this_host()
        progress.step("Check every file %s shipped against the build's SBOM and bundle.json" % bundle.manifest["name"])
        files_check = shipped_files_check(bundle, hasher, output_dir)
        script_report, expectations, tls_server = run_verification(subject, progress, work)
        script_report["checks"].insert(0, files_check)
        planned = [{"id": files_check["id"], "required": True}] + planned_checks(expectations)
        report = make_report(subject, script_report, planned, tls_server, hasher, iso_now(), host)
        report["target"] = target_description(host)
        report["bundle"] = {
            "name": bundle.manifest["name"],
            "root": bundle.root,
            "files": len(bundle.manifest["files"]),
            # The same digest is in the build's package output (SHA256SUMS): equal, and this manifest is the one packed.
            "manifestSha256": hasher(bundle.manifest_file),
            # The SBOM the files were compared with: the build's package output lists the same digest (SHA256SUMS).
            "sbomSha256": hasher(os.path.join(bundle.root, *BUNDLE_SBOM.split("/"))),
        }
        progress.step("Write report.json, summary.txt, evidence.md, evidence.html and sbom.cdx.json to %s" % output_dir)
        outputs = write_outputs(subject, report, hasher, output_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not args.quiet:
        sys.stdout.write(outputs[evidence.SUMMARY_FILE])
    return 0 if report["passed"] else 1


# ---------------------------------------------------------------------------------------------------


def write_bundle_sbom(root, created):
    """share/fipskit/sbom.cdx.json of a bundle being packed: OpenSSL, the FIPS provider, CPython and every shipped
    file with the SHA-256 bundle.json records (the package target hashed them), by fipskit_evidence's SBOM code."""
    bundle = Bundle(root)
    manifest_file = os.path.join(os.path.dirname(bundle.python), os.pardir, "fipskit-python.json")
    with open(manifest_file, encoding="utf-8") as handle:
        python = json.load(handle)
    files = [
        {"role": evidence._role_of(rel), "path": rel, "absolutePath": os.path.join(bundle.root, *rel.split("/")), "sha256": record["sha256"]}
        for rel, record in sorted(bundle.manifest["files"].items())
        if "sha256" in record
    ]
    collected = {
        "report": {"interpreter": {"version": bundle.manifest["python"]["version"]}, "python": bundle.manifest["python"]["launcher"]},
        "openssl": bundle.build_info,
        "python": {"mode": python["mode"], "interpreter": python["interpreter"], "source": python["source"], "sourceAuthenticity": python.get("sourceAuthenticity")},
        "files": files,
    }
    if collected["python"]["sourceAuthenticity"] is None:
        del collected["python"]["sourceAuthenticity"]
    text = evidence.sbom_json(collected, created, bundle.manifest.get("fipskitVersion", "0.0.0"))
    with open(os.path.join(bundle.root, *BUNDLE_SBOM.split("/")), "wb") as handle:
        handle.write(evidence.encode_text(text))
    return 0


def recheck(report_file, data_file, on, max_age_days, output):
    """The compliance verdict of an existing report judged again: against other CMVP data (newer, usually) and on another
    day (today, usually). Nothing is run in the interpreter: FIPS mode is as the report found it. Exit 1 when the claim
    changed (claimable then, not now, or the reverse), 0 when it holds as it was, 2 when a file cannot be read."""
    report, data = read_json(report_file), read_json(data_file)
    validation = report.get("fipsProviderValidation") or {}
    verdict = report.get("verdict") or {}
    before = verdict.get("compliance") or {}
    in_force = (verdict.get("fipsMode") or {}).get("inForce") is True
    provider = evidence.provider_status(validation.get("version"), data, on)
    libraries = (report.get("opensslPrefix") or {}).get("version")
    after = evidence.compliance_verdict(in_force, report.get("failedRequired") or [], provider, validation.get("source") == "running provider", libraries, data)
    changed = before.get("claimable") is not after.get("claimable")
    status_changed = before.get("certificateStatus") != after.get("certificateStatus")
    data_day = evidence._day(data.get("asOf"))
    stale = None
    if data_day:
        age = (_date_of(on) - _date_of(data_day)).days
        if age > max_age_days:
            stale = "fipskit's CMVP data is of %s, %d days before %s (more than %d): refresh it (npm run cmvp:refresh in fipskit's repository, or a newer fipskit) so that a certificate moved to the Historical list since then is seen" % (data_day, age, on, max_age_days)
    result = {
        "report": report_file,
        "reportGeneratedAt": report.get("generatedAt"),
        "judgedOn": on,
        "dataAsOf": data_day,
        "fipsModeInForce": in_force,
        "before": before,
        "after": after,
        "claimChanged": changed,
        "certificateStatusChanged": status_changed,
    }
    if stale:
        result["warning"] = stale
    lines = [
        "Compliance of %s (made %s), judged again on %s by CMVP data of %s:" % (report_file, report.get("generatedAt"), on, data_day),
        "  then: %s" % before.get("summary", "(no verdict)"),
        "  now:  %s" % after["summary"],
    ]
    if after.get("nextStep"):
        lines.append("  Next step: %s" % after["nextStep"])
    if changed:
        lines.append("The claim changed: %s then, %s now." % ("CLAIMABLE" if before.get("claimable") else "NOT CLAIMABLE", "CLAIMABLE" if after["claimable"] else "NOT CLAIMABLE"))
    elif status_changed:
        lines.append("The certificate's status changed (%s then, %s now); the claim did not." % (before.get("certificateStatus"), after.get("certificateStatus")))
    else:
        lines.append("Unchanged.")
    if stale:
        lines.append("warning: " + stale)
    sys.stdout.write("\n".join(lines) + "\n")
    if output:
        with open(output, "wb") as handle:
            handle.write(evidence.encode_text(evidence.json_text(result) + "\n"))
    return 1 if changed else 0


def _date_of(day):
    import datetime

    return datetime.date(*(int(part) for part in day.split("-")))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="fipskit-verify", description="Prove FIPS mode of this fipskit bundle on this machine and write the evidence.")
    parser.add_argument("--bundle", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--bundle-sbom", help=argparse.SUPPRESS)
    parser.add_argument("--recheck", metavar="REPORT", help=argparse.SUPPRESS)
    parser.add_argument("--data", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", help=argparse.SUPPRESS)
    parser.add_argument("--max-data-age-days", type=int, default=90, help=argparse.SUPPRESS)
    parser.add_argument("--result", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--created", help=argparse.SUPPRESS)
    parser.add_argument("--output", metavar="DIR", help="where report.json, summary.txt, evidence.html and the SBOM go (default: <bundle>/verify)")
    parser.add_argument("--no-tls", dest="tls", action="store_false", help="skip the TLS handshakes with a local FIPS server")
    parser.add_argument("--quiet", action="store_true", help="print nothing; the exit status and the files say it all")
    args = parser.parse_args(argv)
    if args.recheck is not None:
        # The compliance target: an existing report judged again, with no interpreter run.
        on = args.as_of or time.strftime("%Y-%m-%d", time.gmtime())
        if not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}$", on):
            parser.error("--as-of %s is not a day (YYYY-MM-DD)" % on)
        try:
            return recheck(args.recheck, args.data or os.path.join(os.path.dirname(os.path.abspath(__file__)), "cmvp-certificates.json"), on, args.max_data_age_days, args.result)
        except (OSError, ValueError) as error:
            sys.stderr.write("fipskit compliance: %s\n" % error)
            return 2
    if args.bundle_sbom is not None:
        # The package target, on the build machine: the bundle's own SBOM, before it is archived.
        return write_bundle_sbom(args.bundle_sbom, args.created or iso_now())
    if (args.bundle is None) == (args.config is None):
        parser.error("give either --bundle ROOT (a bundle's bin/fipskit-verify does) or --config FILE (the verify stage does)")
    if args.config is not None and (args.output is not None or not args.tls or args.quiet):
        parser.error("--output, --no-tls and --quiet are a bundle's options: the verify stage's configuration says all of that")
    try:
        if args.config is not None:
            return verify_stage(args.config)
        return verify_bundle(args)
    except UsageError as error:
        parser.error(str(error))
    except VerifyError as error:
        (StageProgress("") if args.config is not None else Progress("")).error(str(error))
        return 1


if __name__ == "__main__":
    sys.exit(main())
