"""Renders fipskit's verification evidence (stdlib only, Python 3.8 to 3.14).

The one implementation of what the verify stage states about a FIPS Python: the report (report.json) with its
two verdicts, summary.txt, the auditor report (evidence.md and evidence.html) and the CycloneDX 1.6 SBOM
(sbom.cdx.json). The verify stage runs it through a Python driver, and a shipped bundle runs it on its target,
where there may be no Node.js. Data comes in and goes out as plain dicts and lists parsed from JSON, with the
camelCase keys report.json has; `json_text` serialises them as JavaScript's JSON.stringify does, and
`encode_text` encodes text as Node.js writes it, so every file stays byte for byte what fipskit wrote before.

This module imports no hashlib, ssl, random, uuid, tempfile or secrets, nor anything that imports them: a
fipskit Python intercepts those modules and refuses them when FIPS mode is not in force, which is exactly when
the evidence must still be written to say so. File digests come from the caller (`sha256_of`), which knows how
to compute them where it runs. json, os, re, sys, datetime and functools are all it needs.
"""

import datetime
import functools
import json
import os
import re
import sys

REPORT_FILE = "report.json"
SUMMARY_FILE = "summary.txt"
EVIDENCE_MARKDOWN = "evidence.md"
EVIDENCE_HTML = "evidence.html"
SBOM_FILE = "sbom.cdx.json"
SBOM_SPEC_VERSION = "1.6"

# Longest detail shown in the summary; report.json keeps all of it.
SUMMARY_DETAIL_LIMIT = 400

# --------------------------------------------------------------------------------------------------------------
# JavaScript's semantics, where the documents depend on them. The inputs are JSON that a script, a build or a
# person wrote; the texts must come out as the TypeScript implementation wrote them for the same JSON, including
# a missing key (JavaScript's `undefined`) as opposed to a null one.


class _Undefined(object):
    """A key the JSON does not have: `undefined` in JavaScript, printed so and left out of JSON."""

    __slots__ = ()

    def __repr__(self):
        return "undefined"

    def __bool__(self):
        return False


UNDEFINED = _Undefined()


def _get(value, key):
    """`value[key]` as JavaScript reads a property of parsed JSON: `undefined` when it has none."""
    if isinstance(value, dict) and key in value:
        return value[key]
    return UNDEFINED


def _path(value, *keys):
    """`value?.a?.b`: undefined as soon as a step is missing or null."""
    for key in keys:
        value = _get(value, key)
    return value


def _nullish(value):
    return value is None or value is UNDEFINED


def _nc(value, default):
    """`value ?? default`."""
    return default if _nullish(value) else value


def _truthy(value):
    """JavaScript's truthiness: an empty list or object is true, an empty string, 0 and NaN are false."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, (int, float)):
        return value == value and value != 0
    if isinstance(value, str):
        return value != ""
    return True


def _number_text(value):
    """Number.prototype.toString (and JSON.stringify) of a double: shortest digits, exponent past 1e21 or below 1e-6."""
    if isinstance(value, int):
        if abs(value) <= 2 ** 53:
            return str(value)
        value = float(value)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction.rstrip("0")) if fraction.strip("0") else whole
    point = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


def _s(value):
    """JavaScript's String(value), as a template literal interpolates it."""
    if isinstance(value, str):
        return value
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, (list, tuple)):
        return _join(value, ",")
    return "[object Object]"


def _join(values, separator):
    """Array.prototype.join: null and undefined become empty strings."""
    return separator.join("" if _nullish(v) else _s(v) for v in values)


def _strict_equal(a, b):
    """`a === b` for JSON values: true is not 1, and two objects are the same only when they are one."""
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return a is b


def _list(value):
    """An array of the JSON, or none: TypeScript would have thrown on anything else."""
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TypeError("expected an array, got %s" % _s(value))


_INDEX_KEY = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def _is_index_key(key):
    return bool(_INDEX_KEY.match(key)) and int(key) < 2 ** 32 - 1


def _keys(value):
    """Object.keys: integer-like keys first, ascending, then the others in insertion order."""
    if not isinstance(value, dict):
        raise TypeError("expected an object, got %s" % _s(value))
    keys = list(value)
    indices = sorted((k for k in keys if _is_index_key(k)), key=int)
    return indices + [k for k in keys if not _is_index_key(k)]


def _utf16_units(text):
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _sorted_strings(values):
    """Array.prototype.sort() with no comparator: by UTF-16 code units."""
    return sorted(values, key=lambda v: v.encode("utf-16-be", "surrogatepass"))


def _utf16_prefix(text, units):
    """text.slice(0, units): a character cut in half leaves its high surrogate, as in JavaScript."""
    out = []
    used = 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > units:
            if width == 2 and used < units:
                out.append(chr(0xD800 + ((ord(ch) - 0x10000) >> 10)))
            break
        out.append(ch)
        used += width
    return "".join(out)


def _pad_end(text, width):
    return text + " " * max(0, width - _utf16_units(text))


def _obj(pairs):
    """An object literal: keys whose value is undefined are left out, as JSON.stringify leaves them out."""
    return {k: v for k, v in pairs if v is not UNDEFINED}


# ECMAScript's \s (WhiteSpace and LineTerminator), which differs from Python's.
_JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def parse_json(text):
    """JSON.parse: NaN and Infinity, which Python's json takes, are refused; -0 stays a negative zero."""

    def refuse(name):
        raise ValueError("not JSON: %s" % name)

    return json.loads(text, parse_constant=refuse, parse_int=lambda digits: -0.0 if digits == "-0" else int(digits))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _quote(text):
    quoted = json.dumps(text, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), quoted)


def json_text(value, indent=2):
    """JSON.stringify(value, null, indent): the same bytes for the same JSON data (None for undefined)."""
    gap = " " * indent if indent else ""

    def encode(item, current):
        if item is UNDEFINED:
            return None
        if item is None:
            return "null"
        if item is True:
            return "true"
        if item is False:
            return "false"
        if isinstance(item, str):
            return _quote(item)
        if isinstance(item, (int, float)):
            text = _number_text(item)
            return text if text not in ("NaN", "Infinity", "-Infinity") else "null"
        inner = current + gap
        if isinstance(item, (list, tuple)):
            parts = [encode(v, inner) for v in item]
            parts = ["null" if p is None else p for p in parts]
            if not parts:
                return "[]"
            if not gap:
                return "[" + ",".join(parts) + "]"
            return "[\n" + inner + (",\n" + inner).join(parts) + "\n" + current + "]"
        if isinstance(item, dict):
            members = []
            for key in _keys(item):
                text = encode(item[key], inner)
                if text is not None:
                    members.append(_quote(key) + (": " if gap else ":") + text)
            if not members:
                return "{}"
            if not gap:
                return "{" + ",".join(members) + "}"
            return "{\n" + inner + (",\n" + inner).join(members) + "\n" + current + "}"
        raise TypeError("not JSON data: %r" % (item,))

    return encode(value, "")


def encode_text(text):
    """The bytes Node.js writes for a string: UTF-8, a lone surrogate as U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")


# ICU's root collation (String.prototype.localeCompare in Node.js) for ASCII, which is all the SBOM's references
# hold: control characters are ignored, then white space, punctuation and symbols, digits, and letters with
# case only a tie-breaker (lower case first). Other characters sort after ASCII by code point: an approximation.
_COLLATION = "\t\n\x0b\x0c\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz"
_PRIMARY = dict((ch, i) for i, ch in enumerate(_COLLATION))
_PRIMARY.update((ch.upper(), _PRIMARY[ch]) for ch in "abcdefghijklmnopqrstuvwxyz")


def _collation_key(text):
    primary = []
    tertiary = []
    for ch in text:
        code = ord(ch)
        if code < 128:
            if ch not in _PRIMARY:
                continue
            primary.append(_PRIMARY[ch])
            tertiary.append(1 if "A" <= ch <= "Z" else 0)
        else:
            primary.append(1000 + code)
            tertiary.append(0)
    return tuple(primary), tuple(tertiary)


def _locale_compare(a, b):
    ka, kb = _collation_key(a), _collation_key(b)
    return (ka > kb) - (ka < kb)


# --------------------------------------------------------------------------------------------------------------
# The checks the script runs, and the provider versions a CMVP certificate covers.


def expected_checks(profile, tls=False, chacha=None, start_modes=False, moved_copy=None, platform=None):
    """Every check fipskit_verify.py reports, in its order, and whether it decides the verdict.

    `tls`, `start_modes` and `moved_copy` count when true (an object is true); `chacha` is the port of the
    ChaCha20-only server, or None; `platform` is sys.platform-like ("win32" is Windows), this one by default.
    """
    platform = sys.platform if platform is None else platform

    def required(check_id):
        return {"id": check_id, "required": True}

    checks = [required(i) for i in ("startup", "openssl-version", "libcrypto-path", "fips-provider-active", "sha256-from-fips", "default-properties-fips")]
    # rhel-compatible and recipe-compatible activate the default provider on purpose: reported, not failed.
    checks.append({"id": "only-fips-and-base", "required": profile == "strict"})
    checks.append(required("md5-refused"))
    checks.append({"id": "md5-not-builtin", "required": False})
    checks.append({"id": "usedforsecurity-exemption", "required": profile == "rhel-compatible"})
    checks.extend(required(i) for i in ("approved-digests", "hmac-sha256", "default-context-ciphers"))
    if _truthy(tls):
        checks.extend(required(i) for i in ("tls12-handshake", "tls13-handshake"))
    if not _nullish(chacha):
        checks.append(required("non-approved-cipher-refused"))
    if _truthy(start_modes):
        checks.append(required("start-isolated"))
        if platform != "win32":
            checks.append(required("start-through-symlink"))
        if _truthy(moved_copy):
            checks.append(required("start-moved-copy"))
        checks.extend(required(i) for i in ("venv-interpreter", "child-clean-environment"))
        if platform != "win32":
            checks.append(required("start-environment"))
        checks.append(required("multiprocessing-manager"))
    checks.append({"id": "os-fips-switch", "required": False})
    return checks


def validated_providers(certificates):
    """The provider versions the certificates cover, in their order: {"version", "standard", "certificate"}."""
    return [
        {"version": version, "standard": certificate["standard"], "certificate": certificate["number"]}
        for certificate in _list(_get(certificates, "certificates"))
        for version in _list(_get(certificate, "versions"))
    ]


def _day(value):
    """The YYYY-MM-DD of an ISO date or date-time, or None."""
    text = value if isinstance(value, str) else ""
    return text[:10] if re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else None


def certificate_standing(version, certificates, on):
    """What the CMVP data says of a FIPS provider version on a day (YYYY-MM-DD): the certificate that covers it and its
    state then. `active` alone supports a FIPS 140 claim for a new system; a historical module may stay in an existing
    one; a module past its sunset date is historical even when the data has not caught up."""
    for certificate in _list(_get(certificates, "certificates")):
        if version not in _list(_get(certificate, "versions")):
            continue
        validated, sunset = _day(_get(certificate, "validated")), _day(_get(certificate, "sunset"))
        historical, revoked = _day(_get(certificate, "historical")), _day(_get(certificate, "revoked"))
        state, since = "active", None
        if validated and on < validated:
            state, since = "not yet validated", validated
        elif revoked and on >= revoked:
            state, since = "revoked", revoked
        elif historical and on >= historical:
            state, since = "historical", historical
        elif sunset and on > sunset:
            # Past its sunset date a certificate is historical, whether or not the data says so yet.
            state, since = "historical", sunset
        return {"state": state, "since": since, "certificate": certificate, "inProcess": None}
    series = ".".join(str(version).split(".")[:2])
    for entry in _list(_get(certificates, "inProcess")):
        listed = _list(_get(entry, "versions"))
        if version in listed or series in listed:
            return {"state": "in process", "since": None, "certificate": None, "inProcess": entry}
    return {"state": "none", "since": None, "certificate": None, "inProcess": None}


def provider_status(version, certificates, on=None):
    """Whether a CMVP certificate covers this FIPS provider version, and what it supports on the day `on` (YYYY-MM-DD;
    without it, the day the data was taken), in report.json's words."""
    on = on or _day(_get(certificates, "asOf")) or "9999-12-31"
    standing = certificate_standing(version, certificates, on)
    certificate = standing["certificate"]
    dates = {"judgedOn": on, "dataAsOf": _day(_get(certificates, "asOf"))}
    if certificate is None:
        entry = standing["inProcess"]
        status = "FIPS-capable, not validated"
        if entry is not None:
            status += ": in the CMVP's Modules In Process list (%s%s)" % (_s(_get(entry, "state")), " since %s" % _s(_get(entry, "stateSince")) if _get(entry, "stateSince") else "")
        return dict({"version": version, "validated": False, "status": status, "certificateStatus": standing["state"], "claimable": False}, **dates)
    standard, number = certificate["standard"], certificate["number"]
    status = "validated (%s, CMVP certificate %s)" % (standard, number)
    if standing["state"] == "historical":
        status += ", historical since %s: existing systems only" % standing["since"]
    elif standing["state"] == "revoked":
        status += ", revoked on %s" % standing["since"]
    elif standing["state"] == "not yet validated":
        status = "FIPS-capable, not validated on %s (CMVP certificate %s from %s)" % (on, number, standing["since"])
    status_fields = {
        "version": version,
        "validated": standing["state"] != "not yet validated",
        "status": status,
        "standard": standard,
        "certificate": number,
        "certificateStatus": standing["state"],
        "claimable": standing["state"] == "active",
    }
    if _day(_get(certificate, "sunset")):
        status_fields["sunset"] = _day(_get(certificate, "sunset"))
    if standing["state"] in ("historical", "revoked"):
        status_fields["historicalSince" if standing["state"] == "historical" else "revokedOn"] = standing["since"]
    return dict(status_fields, **dates)


_COERCE = re.compile(r"(^|[^0-9])([0-9]{1,16})(?:\.([0-9]{1,16}))?(?:\.([0-9]{1,16}))?(?:\Z|[^0-9])")
_NUMERIC = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def _coerce_version(text):
    """semver.coerce: the first x[.y[.z]] in the text as numbers, or None (a part with a leading zero is none)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = _number_text(text)
    if not isinstance(text, str):
        return None
    match = _COERCE.search(text)
    if match is None:
        return None
    parts = (match.group(2), match.group(3) or "0", match.group(4) or "0")
    if not all(_NUMERIC.match(p) and int(p) <= 2 ** 53 - 1 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _version_numbers(version):
    match = re.match(r"([0-9]+)\.([0-9]+)\.([0-9]+)\Z", version)
    if match is None:
        raise ValueError("not a provider version: %s" % version)
    return tuple(int(p) for p in match.groups())


def validated_providers_for(libraries_version, certificates, on=None):
    """The provider versions OpenSSL supports beside libraries of `libraries_version` (its own release or an earlier one,
    never a later one: OpenSSL's FIPS guidance; the build refuses that pairing too) whose certificate is active on the
    day `on`: those a new claim can rest on."""
    libraries = _coerce_version(libraries_version)
    if libraries is None:
        return []
    return [p for p in active_providers(certificates, on) if _version_numbers(p["version"]) <= libraries]


def active_providers(certificates, on=None):
    """The provider versions whose certificate is active on the day `on` (default: the data's own date)."""
    on = on or _day(_get(certificates, "asOf")) or "9999-12-31"
    return [p for p in validated_providers(certificates) if certificate_standing(p["version"], certificates, on)["state"] == "active"]


# --------------------------------------------------------------------------------------------------------------
# report.json and summary.txt.


def check_verdict(check):
    """Required checks pass or fail the run; the others are information."""
    if not _truthy(_get(check, "required")):
        return "INFO"
    return "PASS" if _truthy(_get(check, "passed")) else "FAIL"


def checks_failures_first(checks):
    """Failed required checks first, then the passed ones, then the informational ones; in run order within each."""
    rank = {"FAIL": 0, "PASS": 1, "INFO": 2}
    return sorted(checks, key=lambda c: rank[check_verdict(c)])


def _fips_mode_verdict(in_force, required, failed_required):
    if in_force:
        summary = "FIPS mode: IN FORCE. All %d required checks passed inside the interpreter." % required
    else:
        summary = "FIPS mode: NOT IN FORCE. %d of %d required checks failed (%s): this Python must not be relied on for FIPS mode." % (
            len(failed_required),
            required,
            _join(failed_required, ", "),
        )
    return {"inForce": in_force, "summary": summary}


def _describe_validated_providers(providers, certificates=None):
    """"3.1.2 (FIPS 140-3, certificate #4985, until 2030-03-10)": the versions with their certificate (and its sunset)."""
    numbers = []
    for provider in providers:
        if provider["certificate"] not in numbers:
            numbers.append(provider["certificate"])
    sunsets = dict((_get(c, "number"), _day(_get(c, "sunset"))) for c in _list(_get(certificates, "certificates")))
    described = []
    for number in numbers:
        versions = [p for p in providers if p["certificate"] == number]
        until = ", until %s" % sunsets[number] if sunsets.get(number) else ""
        described.append("%s (%s, certificate #%s%s)" % (_join([p["version"] for p in versions], " or "), _s(versions[0]["standard"]), _s(number), until))
    return ", or ".join(described)


def compliance_verdict(in_force, failed_required, provider, provider_ran, libraries_version, certificates):
    version = provider["version"]
    on = provider.get("judgedOn")
    split = not _strict_equal(version, libraries_version)
    named = "OpenSSL %s%s" % (_s(version), " (beside libraries from OpenSSL %s)" % _s(libraries_version) if split else "")
    which = ("The FIPS provider that ran, %s," if provider_ran else "No FIPS provider ran; the one the prefix holds, %s,") % named
    state = provider.get("certificateStatus")
    if state == "active":
        status = "is CMVP-validated (%s, certificate #%s, active%s)" % (
            _s(provider["standard"]),
            _s(provider["certificate"]),
            " until its sunset on %s" % provider["sunset"] if provider.get("sunset") else "",
        )
    elif state == "historical":
        status = (
            "is covered by CMVP certificate #%s (%s), on the Historical list since %s: such a module may stay in an existing "
            "system, but no claim for a new system can rest on it" % (_s(provider["certificate"]), _s(provider["standard"]), _s(provider.get("historicalSince")))
        )
    elif state == "revoked":
        status = "is covered by CMVP certificate #%s (%s), revoked on %s: no claim can rest on it" % (_s(provider["certificate"]), _s(provider["standard"]), _s(provider.get("revokedOn")))
    elif state == "not yet validated":
        status = "was not yet CMVP-validated on %s: %s" % (_s(on), _s(provider["status"]))
    elif state == "in process":
        status = "is not CMVP-validated: %s" % _s(provider["status"]).split(": ", 1)[-1]
    else:
        status = "is FIPS-capable but not CMVP-validated: no certificate covers it"
    claimable = in_force and provider.get("claimable") is True
    headline = "FIPS 140 compliance: %s." % ("CLAIMABLE" if claimable else "NOT CLAIMABLE")
    as_of = " (as of %s, by CMVP data of %s)" % (_s(on), _s(provider.get("dataAsOf"))) if on else ""
    if claimable:
        summary = "%s %s %s%s; a claim rests on that certificate and the module's security policy%s." % (
            headline,
            which,
            status,
            ", a pairing OpenSSL's FIPS guidance allows" if split else "",
            as_of,
        )
    elif in_force:
        summary = "%s %s %s%s." % (headline, which, status, as_of)
    else:
        summary = "%s FIPS mode is not in force, so no claim can rest on this Python whatever its provider. %s %s%s." % (headline, which, status, as_of)

    steps = []
    if not in_force:
        count = len(failed_required)
        steps.append("Make FIPS mode hold first: fix the %d failed required check%s." % (count, "" if count == 1 else "s"))
    if provider.get("claimable") is not True:
        usable = validated_providers_for(libraries_version, certificates, on)
        active = active_providers(certificates, on)
        if usable:
            newest = usable[-1]["version"]
            steps.append(
                "For a claim, build the FIPS provider from %s beside these OpenSSL %s libraries: a split build "
                "(nx g fipskit:project <name> with your OpenSSL source options and --fipsProviderVersion=%s, which takes the "
                'official %s tarball by its pinned SHA-256; docs/stages.md, "Validated provider, newer libraries").'
                % (_describe_validated_providers(usable, certificates), _s(libraries_version), newest, newest)
            )
        elif active:
            newest = active[-1]["version"]
            steps.append(
                "For a claim, the FIPS provider must come from a release whose certificate is active, %s, and OpenSSL allows it "
                "only beside libraries of that release or a later one: move the libraries from OpenSSL %s to %s or later "
                "(e.g. nx g fipskit:project <name> --opensslSource=debian --opensslRelease=trixie --opensslVersion=3.5 "
                '--fipsProviderVersion=%s; docs/stages.md, "Validated provider, newer libraries").'
                % (_describe_validated_providers(active, certificates), _s(libraries_version), newest, newest)
            )
        else:
            steps.append("No OpenSSL FIPS provider has an active certificate in fipskit's CMVP data of %s: no claim can be made now." % _s(provider.get("dataAsOf")))
    verdict = {"claimable": claimable, "summary": summary, "fipsProviderVersion": version, "librariesVersion": libraries_version}
    if provider.get("certificate"):
        verdict["certificate"] = {"standard": provider["standard"], "number": provider["certificate"]}
    verdict["certificateStatus"] = state
    for key in ("sunset", "historicalSince", "revokedOn", "judgedOn", "dataAsOf"):
        if provider.get(key):
            verdict[key] = provider[key]
    if steps:
        verdict["nextStep"] = " ".join(steps)
    return _obj(verdict.items())


def build_report(script, context, certificates):
    """report.json: what fipskit_verify.py found inside the interpreter (`script`, its JSON), plus what the stage
    knows (`context`: generatedAt as an ISO string, kept as it is, host, python, prefix, opensslVersion,
    fipsProviderVersion, profile, tlsServer when TLS was checked, plannedChecks, fipsModule, targetConfiguration)."""
    tls = isinstance(context, dict) and "tlsServer" in context
    script_checks = _list(_get(script, "checks"))
    reported = [_get(c, "id") for c in script_checks]
    # A check the script did not report (an older script, a launcher that ran something else) fails.
    missing = [
        _obj(
            [
                ("id", _get(p, "id")),
                ("title", _get(p, "id")),
                ("required", _get(p, "required")),
                ("passed", False),
                ("detail", "not reported by the interpreter: this check did not run"),
            ]
        )
        for p in _list(_get(context, "plannedChecks"))
        if not any(_strict_equal(_get(p, "id"), r) for r in reported)
    ]
    checks = script_checks + missing
    failed_required = [_get(c, "id") for c in checks if check_verdict(c) == "FAIL"]
    passed = len(checks) > 0 and len(failed_required) == 0
    running_version = _path(script, "fips_provider", "version")
    provider_ran = not _nullish(running_version)
    # The verdict is a statement as of a day: the report's own, judged by the CMVP data it is given.
    judged_on = _day(_get(context, "judgedOn")) or _day(_get(context, "generatedAt"))
    validation = provider_status(running_version if provider_ran else _get(context, "fipsProviderVersion"), certificates, judged_on)
    required = len([c for c in checks if _truthy(_get(c, "required"))])
    libraries_version = _get(context, "opensslVersion")

    report = {
        "verdict": {
            "fipsMode": _fips_mode_verdict(passed, required, failed_required),
            "compliance": compliance_verdict(passed, failed_required, validation, provider_ran, libraries_version, certificates),
        },
        "generatedAt": _get(context, "generatedAt"),
        "host": _get(context, "host"),
        "python": _get(context, "python"),
    }
    report.update(script)
    report["checks"] = checks
    report["opensslPrefix"] = _obj([("path", _get(context, "prefix")), ("version", libraries_version), ("fipsProviderVersion", _get(context, "fipsProviderVersion"))])
    source = "running provider" if _truthy(running_version) else "build-info.json"
    report["fipsProviderValidation"] = dict(validation, source=source)
    report["fipsModule"] = _nc(_get(context, "fipsModule"), None)
    report["targetConfiguration"] = _nc(_get(context, "targetConfiguration"), None)
    report["tls"] = {"checked": tls, "server": _nc(_get(context, "tlsServer"), None)}
    report["passed"] = passed
    report["failedRequired"] = failed_required
    return _obj(report.items())


def _shorten(detail):
    one_line = re.sub("[%s]*\n[%s]*" % (_JS_SPACE, _JS_SPACE), "; ", _s(detail))
    if _utf16_units(one_line) <= SUMMARY_DETAIL_LIMIT:
        return one_line
    return "%s\u2026 (all of it in %s)" % (_utf16_prefix(one_line, SUMMARY_DETAIL_LIMIT), REPORT_FILE)


def _verdict_lines(verdict):
    """The two verdict lines and, when a claim cannot be made, what to do: summary.txt starts with these."""
    compliance = _get(verdict, "compliance")
    lines = [_s(_path(verdict, "fipsMode", "summary")), _s(_get(compliance, "summary"))]
    if _truthy(_get(compliance, "nextStep")):
        lines.append("  Next step: %s" % _s(_get(compliance, "nextStep")))
    return lines


def render_summary(report):
    """summary.txt: the verdict, a header, one line per check (PASS/FAIL/INFO, failures first), and the two verdict
    lines again at the end, where a CI log's reader looks first."""
    fips = _get(report, "fips_provider")
    providers = _join(
        [
            "%s %s%s" % (_s(_get(p, "name")), _s(_nc(_get(p, "version"), "?")), "" if _is_one(_get(p, "status")) else " (status %s)" % _s(_get(p, "status")))
            for p in _list(_get(report, "providers"))
        ],
        ", ",
    ) or "none"
    interpreter = _get(report, "interpreter")
    openssl = _get(report, "openssl")
    validation = _get(report, "fipsProviderValidation")
    tls = _get(report, "tls")
    header = [
        "FIPS verification of %s (%s %s, %s)"
        % (_s(_get(report, "python")), _s(_get(interpreter, "implementation")), _s(_get(interpreter, "version")), _s(_get(interpreter, "executable"))),
        "  OpenSSL in use:   %s%s"
        % (_s(_nc(_get(openssl, "version"), "unknown")), ", %s" % _s(_get(openssl, "libcrypto_path")) if _truthy(_get(openssl, "libcrypto_path")) else ""),
        "  expected:         OpenSSL %s from %s" % (_s(_path(report, "opensslPrefix", "version")), _s(_path(report, "opensslPrefix", "path"))),
        "  FIPS provider:    %s; %s%s"
        % (
            "%s, status %s" % (_s(_nc(_get(fips, "version"), "?")), _s(_get(fips, "status"))) if _truthy(fips) else "not active",
            _s(_get(validation, "status")),
            " (the provider the prefix holds)" if _get(validation, "source") == "build-info.json" else "",
        ),
        "  providers:        %s" % providers,
        "  profile:          %s" % _s(_get(report, "profile")),
        "  TLS:              %s"
        % ("handshakes with openssl s_server (FIPS mode) on %s" % _s(_get(tls, "server")) if _truthy(_get(tls, "checked")) else "not checked (tls: false)"),
    ]
    startup_errors = _get(report, "startup_errors")
    if isinstance(startup_errors, (list, str)) and len(startup_errors) > 0:
        header.append("  startup errors:   %s" % _join(_list(startup_errors), "; "))
    checks = _list(_get(report, "checks"))
    width = max([_utf16_units(_s(_get(c, "id"))) for c in checks] or [0])
    rows = ["%s  %s  %s" % (_pad_end(check_verdict(c), 4), _pad_end(_s(_get(c, "id")), width), _shorten(_get(c, "detail"))) for c in checks_failures_first(checks)]
    verdict = _get(report, "verdict")
    fips_mode = _s(_path(verdict, "fipsMode", "summary"))
    compliance = _s(_path(verdict, "compliance", "summary"))
    return "\n".join(_verdict_lines(verdict) + [""] + header + [""] + rows + ["", fips_mode, compliance, ""])


def _is_one(value):
    """`value === 1`: true is not 1 in JavaScript."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 1


# --------------------------------------------------------------------------------------------------------------
# The FIPS module that ran, and the evidence gathered from the stage outputs on disk.


def _node_join(*parts):
    """path.join: the non-empty parts joined and normalised."""
    joined = os.path.normpath(os.sep.join(p for p in parts if p))
    if os.sep == "/" and joined.startswith("//"):
        joined = "/" + joined.lstrip("/")
    return joined


def _node_dirname(path):
    """path.dirname: a trailing separator does not count, and a bare name's directory is "."."""
    if os.sep != "/":
        head = os.path.dirname(path.rstrip("\\/") or path)
        return head or "."
    if not path:
        return "."
    stripped = path.rstrip("/")
    if not stripped:
        return "/"
    head, slash, _ = stripped.rpartition("/")
    if not slash:
        return "."
    return head.rstrip("/") or "/"


def _read_audit(audit_file):
    if not os.path.exists(audit_file):
        return UNDEFINED
    try:
        with open(audit_file, "r", encoding="utf-8", errors="replace", newline="") as f:
            return parse_json(f.read())
    except Exception:
        return UNDEFINED


def describe_fips_module(mapped, info, audit_file, project, sha256_of):
    """The module that ran (`mapped`, the script's fips_module), its SHA-256, and whether a rebuild from source with no
    cache gave those bytes. Only an audit of the same SHA-256 counts: an audit of another build says nothing about this
    one. `info` is build-info.json; `sha256_of(path)` returns a file's SHA-256 as hex."""
    module = _path(info, "fipsProvider", "module")
    built_sha256 = _nc(_get(_get(info, "artifacts"), module) if isinstance(module, str) else UNDEFINED, "unknown")
    run_audit = "run nx run %s:audit (CI can run it on a schedule)" % _s(project)

    def evidence(path, sha256, audit, statement):
        return {"path": path, "sha256": sha256, "builtSha256": built_sha256, "audit": audit, "statement": statement}

    if not _truthy(mapped):
        return evidence(
            None, None, None, "No FIPS module was loaded into the interpreter; the prefix's %s has SHA-256 %s." % (_s(module), _s(built_sha256))
        )
    if "; " in mapped:
        return evidence(
            mapped, None, None, "More than one FIPS module was loaded into the interpreter (%s): no one of them can be named as the module that ran." % mapped
        )
    sha256 = sha256_of(mapped)
    ran = "The FIPS module that ran is %s (SHA-256 %s)" % (mapped, sha256)
    if sha256 != built_sha256:
        return evidence(mapped, sha256, None, "%s, which is not the module the openssl stage built (build-info.json records %s)." % (ran, _s(built_sha256)))
    audit = _read_audit(audit_file)
    audited_module = _get(audit, "fipsModule")
    if not _truthy(audited_module) or _get(audited_module, "sha256") != sha256:
        other = ""
        if _truthy(audited_module):
            other = " The last audit (%s) was of another module (SHA-256 %s)." % (_s(_get(audit, "auditedAt")), _s(_get(audited_module, "sha256")))
        return evidence(mapped, sha256, None, "%s. It was not audited: no rebuild from source has been compared with it; %s.%s" % (ran, run_audit, other))
    audited_at = _get(audit, "auditedAt")
    # The module's bytes alone do not make a reproduced build: the libraries and programs it runs with were rebuilt too.
    openssl_stage = None
    for stage in _get(audit, "stages") or []:
        if _get(stage, "stage") == "openssl":
            openssl_stage = stage
    others = [] if openssl_stage is None else [_s(_get(d, "path")) for d in (_get(openssl_stage, "differences") or [])]
    output_reproduced = openssl_stage is None or (_truthy(_get(openssl_stage, "reproduced")) and not others)
    cited = _obj(
        [("file", audit_file), ("auditedAt", audited_at), ("reproduced", _get(audited_module, "reproduced")), ("opensslOutputReproduced", output_reproduced)]
    )
    if _truthy(_get(audited_module, "reproduced")) and not output_reproduced:
        which = "the rest of the OpenSSL output"
        if others:
            which = "%d other entr%s of the OpenSSL output (%s%s)" % (len(others), "y" if len(others) == 1 else "ies", ", ".join(others[:3]), ", …" if len(others) > 3 else "")
        statement = "%s. A rebuild from its locked source with no cache gave the same module, but other bytes for %s: the audit of %s failed (%s); do not ship this build until the difference is explained." % (
            ran,
            which,
            _s(audited_at),
            audit_file,
        )
    elif _truthy(_get(audited_module, "reproduced")):
        statement = "%s. A rebuild from its locked source with no cache gave the same bytes, the module and the whole OpenSSL output (audit of %s, %s)." % (ran, _s(audited_at), audit_file)
    else:
        statement = "%s. A rebuild from its locked source with no cache gave other bytes (audit of %s, %s): do not rely on this module." % (
            ran,
            _s(audited_at),
            audit_file,
        )
    return evidence(mapped, sha256, cited, statement)


def _role_of(path):
    if re.search(r"ossl-modules/fips\.", path):
        return "FIPS provider module"
    if "ossl-modules/" in path:
        return "OpenSSL provider module"
    if "libcrypto" in path:
        return "libcrypto"
    if "libssl" in path:
        return "libssl"
    if "bin/openssl" in path:
        return "openssl program"
    if "_ssl." in path:
        return "_ssl extension module"
    if "_hashlib." in path:
        return "_hashlib extension module"
    if path.endswith(".py"):
        return "hash routing module"
    if path.endswith(".cnf"):
        return "OpenSSL configuration"
    return "file"


def _read_json_file(path):
    if not os.path.exists(path):
        return UNDEFINED
    with open(path, "r", encoding="utf-8", errors="replace", newline="") as f:
        return parse_json(f.read())


def collect_evidence(report, prefix, openssl_info, fips_config_dir, python, sha256_of):
    """Everything the auditor report and the SBOM say, gathered once from the stage outputs on disk: build-info.json
    (`openssl_info`), fips-config.json and, when the interpreter is a fipskit launcher, the python stage's manifest,
    with every file they name hashed as it is on disk now."""
    files = []

    def add(root, label, relative):
        absolute = _node_join(root, *relative.split("/"))
        if not os.path.exists(absolute):
            return
        files.append({"role": _role_of(relative), "path": "%s/%s" % (label, relative), "absolutePath": absolute, "sha256": sha256_of(absolute)})

    for path in _sorted_strings(_keys(_get(openssl_info, "artifacts"))):
        add(prefix, "openssl", path)
    config = _read_json_file(_node_join(fips_config_dir, "fips-config.json"))
    for name in ("openssl.cnf", "fipsmodule.cnf"):
        add(fips_config_dir, "fips-config", name)
    # The launcher is <python output>/bin/python3: its manifest is two levels up.
    python_root = _node_dirname(_node_dirname(python))
    manifest = _read_json_file(_node_join(python_root, "fipskit-python.json"))
    if _truthy(manifest):
        for path in _sorted_strings(_keys(_get(manifest, "modules"))):
            add(python_root, "python", path)

    evidence = {"report": report, "openssl": openssl_info}
    if _truthy(config):
        run = _get(config, "fipsinstall")
        evidence["fipsinstall"] = _obj(
            [
                ("ranAt", _get(run, "ranAt")),
                ("hostname", _get(run, "hostname")),
                ("machineDigest", _get(run, "machineDigest")),
                ("profile", _get(config, "profile")),
                ("securityChecks", _get(config, "securityChecks")),
                ("selfTests", _get(run, "output")),
                ("verify", _get(run, "verify")),
                # How the configuration is bound: "machine", or "self-test-onload" (a bundle's fipskit-setup says).
                ("binding", _get(config, "binding") if isinstance(_get(config, "binding"), str) else UNDEFINED),
            ]
        )
    if _truthy(manifest):
        evidence["python"] = _obj(
            [
                ("mode", _get(manifest, "mode")),
                ("interpreter", _get(manifest, "interpreter")),
                ("source", _get(manifest, "source")),
                ("sourceAuthenticity", _get(manifest, "sourceAuthenticity")),
            ]
        )
    evidence["files"] = files
    return evidence


def record_binding(report, evidence):
    """report.json names how the FIPS configuration is bound when fips-config.json says (`binding`: "machine", or
    "self-test-onload" for a configuration written with fipsinstall -self_test_onload): {"fipsinstall": {"binding"}}.
    Returns the report, changed in place."""
    binding = _path(evidence, "fipsinstall", "binding")
    if isinstance(binding, str):
        report["fipsinstall"] = {"binding": binding}
    return report


# --------------------------------------------------------------------------------------------------------------
# The auditor report: sections, rendered as Markdown and as a self-contained HTML page.


def _source_rows(label, lock, authenticity):
    return [
        ["%s version" % label, _s(_get(lock, "version"))],
        ["%s tarball" % label, _s(_nc(_get(lock, "fileName"), "(unpacked tree)"))],
        ["%s from" % label, _s(_get(lock, "location"))],
        ["%s SHA-256" % label, _s(_get(lock, "sha256"))],
        ["%s: how the bytes were checked" % label, _s(_get(lock, "verification"))],
        [
            "%s: upstream release signature" % label,
            _s(_nc(_get(authenticity, "statement"), "Not recorded: this build predates signature checking; rebuild to check it.")),
        ],
    ]


def _column(title, kind):
    return {"title": title, "kind": kind}


def auditor_sections(evidence):
    """The report's content, in the order a FIPS reviewer reads it: a list of {"title", "verdict"?, "paragraphs",
    "table"?}, the table being {"columns": [{"title", "kind"}], "rows": [[str]]}."""
    report = _get(evidence, "report")
    openssl = _get(evidence, "openssl")
    fipsinstall = _get(evidence, "fipsinstall")
    python = _get(evidence, "python")
    provider = _get(report, "fipsProviderValidation")
    fips_mode = _path(report, "verdict", "fipsMode")
    compliance = _path(report, "verdict", "compliance")
    checks = _list(_get(report, "checks"))
    os_switch = next((c for c in checks if _get(c, "id") == "os-fips-switch"), None)
    interpreter = _get(report, "interpreter")
    version = _s(_get(provider, "version"))
    fips_provider = _get(openssl, "fipsProvider")
    provider_source = _get(fips_provider, "source")

    compliance_line = _obj(
        [
            ("holds", _get(compliance, "claimable")),
            ("summary", _get(compliance, "summary")),
            ("nextStep", _get(compliance, "nextStep") if _truthy(_get(compliance, "nextStep")) else UNDEFINED),
        ]
    )
    verdict = {
        "title": "Verdict",
        "verdict": [_obj([("holds", _get(fips_mode, "inForce")), ("summary", _get(fips_mode, "summary"))]), compliance_line],
        "paragraphs": [
            "Interpreter: %s (%s %s, running %s). Checked on host %s at %s. OpenSSL in use: %s, loaded from %s."
            % (
                _s(_get(report, "python")),
                _s(_get(interpreter, "implementation")),
                _s(_get(interpreter, "version")),
                _s(_get(interpreter, "executable")),
                _s(_get(report, "host")),
                _s(_get(report, "generatedAt")),
                _s(_nc(_path(report, "openssl", "version"), "unknown")),
                _s(_nc(_path(report, "openssl", "libcrypto_path"), "unknown")),
            )
        ],
    }

    if _truthy(_get(report, "fips_provider")):
        ran = "The FIPS provider that ran is version %s (%s). " % (version, _s(_get(provider, "status")))
    else:
        ran = "No FIPS provider ran; the prefix holds version %s (%s). " % (version, _s(_get(provider, "status")))
    state = _get(provider, "certificateStatus")
    judged = " (judged on %s by fipskit's CMVP data of %s)" % (_s(_get(provider, "judgedOn")), _s(_get(provider, "dataAsOf"))) if _truthy(_get(provider, "judgedOn")) else ""
    if state == "historical":
        validated = (
            "OpenSSL %s is covered by CMVP certificate #%s (%s), on the Historical list since %s%s: a historical module may stay "
            "in an existing system, but no claim for a new system can rest on it."
            % (version, _s(_get(provider, "certificate")), _s(_get(provider, "standard")), _s(_get(provider, "historicalSince")), judged)
        )
    elif _truthy(_get(provider, "validated")) and state in (None, "active", UNDEFINED):
        validated = "OpenSSL %s is a CMVP-validated FIPS provider version (%s, certificate #%s%s)%s." % (
            version,
            _s(_get(provider, "standard")),
            _s(_get(provider, "certificate")),
            ", active until its sunset on %s" % _s(_get(provider, "sunset")) if _truthy(_get(provider, "sunset")) else "",
            judged,
        )
    elif state not in (None, "none", UNDEFINED):
        validated = "OpenSSL %s: %s%s. No FIPS 140 compliance claim can rest on it (the verdict above says what to do)." % (version, _s(_get(provider, "status")), judged)
    else:
        validated = (
            "No CMVP certificate covers provider version %s: it implements the FIPS provider but is not a validated module, "
            "so no FIPS 140 compliance claim can rest on it (the verdict above says what to do)." % version
        )
    if _truthy(provider_source):
        built = "The provider was built from its own source (OpenSSL %s) and installed beside libraries from OpenSSL %s, as OpenSSL's FIPS guidance allows." % (
            _s(_get(provider_source, "version")),
            _s(_get(openssl, "version")),
        )
    else:
        built = "The provider and the libraries were built from the same OpenSSL %s source." % _s(_get(openssl, "version"))
    provider_section = {
        "title": "FIPS provider",
        "paragraphs": [
            ran + validated,
            _s(_nc(_path(report, "fipsModule", "statement"), "The module file that ran was not recorded (a report from an older fipskit).")),
            built,
        ],
    }

    rows = _source_rows("OpenSSL", _get(openssl, "source"), _path(openssl, "authenticity", "source"))
    if _truthy(provider_source):
        rows += _source_rows("FIPS provider source", provider_source, _path(openssl, "authenticity", "fipsProvider"))
    if _truthy(python):
        rows += _source_rows("CPython", _get(python, "source"), _get(python, "sourceAuthenticity"))
    rows.append(["OpenSSL Configure", _join(_list(_path(openssl, "configure", "arguments")), " ")])
    if _truthy(python):
        rows.append(
            [
                "Python stage",
                "%s for %s (Python %s)" % (_s(_get(python, "mode")), _s(_path(python, "interpreter", "path")), _s(_path(python, "interpreter", "version"))),
            ]
        )
    target_configuration = _get(report, "targetConfiguration")
    if _truthy(target_configuration):
        rows.append(
            [
                "Nx target configuration",
                "SHA-256 %s of the targets of %s as Nx resolved them"
                % (_s(_get(target_configuration, "sha256")), _join(_list(_get(target_configuration, "projects")), ", ")),
            ]
        )
    sources_section = {
        "title": "What was built, from which sources",
        "paragraphs": [
            "Every source tarball is identified by SHA-256 and was checked as stated before it was unpacked. "
            "Where the release is signed, its detached OpenPGP signature was verified against the release keys fipskit pins by fingerprint; "
            "a signature that did not match or that no trusted key made would have stopped the build."
        ],
        "table": {"columns": [_column("item", "label"), _column("value", "text")], "rows": rows},
    }

    toolchain = _get(openssl, "toolchain")
    toolchain_section = {
        "title": "Toolchain",
        "paragraphs": ["Target platform %s (%s)." % (_s(_get(openssl, "platform")), _s(_get(openssl, "arch")))],
        "table": {"columns": [_column("tool", "label"), _column("version", "text")], "rows": [[tool, _s(toolchain[tool])] for tool in _keys(toolchain)]},
    }

    if _truthy(fipsinstall):
        self_tests = [_s(line) for line in _list(_get(fipsinstall, "selfTests"))]
        verify = _list(_get(fipsinstall, "verify"))
        verified = next((line for line in verify if re.search("VERIFY", _s(line))), UNDEFINED)
        if _get(fipsinstall, "binding") == "self-test-onload":
            bound = (
                "The configuration was written with openssl fipsinstall -self_test_onload: it depends on the module's bytes alone and may "
                "travel with them, and the module's self-tests run at every load instead of once at installation. OpenSSL documents this for "
                "shipping a module; running fipsinstall on each machine remains the strict reading of the security policy."
            )
        else:
            bound = "The FIPS module configuration it wrote belongs to this machine only and is never taken from a cache of another machine."
        paragraphs = [
            "openssl fipsinstall ran on host %s (machine digest %s) at %s, with profile %s and run-time security checks %s. %s"
            % (
                _s(_get(fipsinstall, "hostname")),
                _s(_get(fipsinstall, "machineDigest")),
                _s(_get(fipsinstall, "ranAt")),
                _s(_get(fipsinstall, "profile")),
                "on" if _truthy(_get(fipsinstall, "securityChecks")) else "off",
                bound,
            ),
            "Self-tests: %d results reported, %d failures. Verification of the written configuration: %s."
            % (
                len([line for line in self_tests if re.search("Pass|Fail", line)]),
                len([line for line in self_tests if re.search("Fail", line, re.IGNORECASE | re.ASCII)]),
                _s(_nc(verified, _join(verify, " "))),
            ),
        ]
    else:
        paragraphs = ["No fips-config.json was found: the fipsinstall run is not documented here."]
    fipsinstall_section = {"title": "fipsinstall on this machine", "paragraphs": paragraphs}

    checks_section = {
        "title": "Checks run inside the interpreter",
        "paragraphs": [
            "Failures first. PASS and FAIL are required checks: they decide whether FIPS mode is in force. INFO checks are reported only. "
            "report.json holds each check with its title."
        ],
        "table": {
            "columns": [_column("result", "result"), _column("check", "key"), _column("evidence", "text")],
            "rows": [[check_verdict(c), _s(_get(c, "id")), _s(_get(c, "detail"))] for c in checks_failures_first(checks)],
        },
    }
    os_section = {"title": "Operating system FIPS switch", "paragraphs": [_s(_get(os_switch, "detail")) if _truthy(os_switch) else "Not reported."]}
    files_section = {
        "title": "Files and their SHA-256",
        "paragraphs": ["As on disk when this report was written; sbom.cdx.json lists the same files."],
        "table": {
            "columns": [_column("file", "text"), _column("role", "label"), _column("SHA-256", "digest")],
            "rows": [[_s(_get(f, "path")), _s(_get(f, "role")), _s(_get(f, "sha256"))] for f in _list(_get(evidence, "files"))],
        },
    }
    sections = [verdict, provider_section]
    if _truthy(_get(provider, "judgedOn")):
        sections.append(_system_security_plan_section(report, openssl, provider))
    return sections + [sources_section, toolchain_section, fipsinstall_section, checks_section, os_section, files_section]


def _system_security_plan_section(report, openssl, provider):
    """The table an auditor copies into a system security plan's list of cryptographic modules (FedRAMP SSP Appendix Q)."""
    certificate = _get(provider, "certificate")
    state = _s(_get(provider, "certificateStatus"))
    since = _get(provider, "historicalSince") or _get(provider, "revokedOn")
    where = "%s (%s %s)" % (_s(_get(report, "host")), _s(_get(openssl, "platform")), _s(_get(openssl, "arch")))
    target = _get(report, "target")
    if _truthy(target) and _truthy(_get(target, "container")):
        where += ", in a %s container" % _s(_get(target, "container"))
    return {
        "title": "For a system security plan",
        "paragraphs": [
            "The cryptographic module this Python uses, as of %s by fipskit's CMVP data of %s. A certificate's status changes "
            "without any rebuild: nx run <project>:compliance judges this report again against newer data." % (_s(_get(provider, "judgedOn")), _s(_get(provider, "dataAsOf")))
        ],
        "table": {
            "columns": [
                _column("module", "label"),
                _column("version", "key"),
                _column("certificate", "text"),
                _column("status", "text"),
                _column("sunset", "text"),
                _column("where it runs", "text"),
            ],
            "rows": [
                [
                    "OpenSSL FIPS Provider",
                    _s(_get(provider, "version")),
                    "#%s (%s)" % (_s(certificate), _s(_get(provider, "standard"))) if _truthy(certificate) else "none",
                    state + (" since %s" % since if since else ""),
                    _s(_get(provider, "sunset")) if _truthy(_get(provider, "sunset")) else "-",
                    where,
                ]
            ],
        },
    }


def _md_cell(text):
    return re.sub(r"\r?\n", "<br>", text.replace("|", "\\|"))


def render_markdown(sections):
    """evidence.md."""
    lines = ["# FIPS evidence report", ""]
    for section in sections:
        lines += ["## %s" % _s(_get(section, "title")), ""]
        for line in _list(_nc(_get(section, "verdict"), [])):
            lines += [_s(_get(line, "summary")), ""]
            if _truthy(_get(line, "nextStep")):
                lines += ["Next step: %s" % _s(_get(line, "nextStep")), ""]
        for paragraph in _list(_get(section, "paragraphs")):
            lines += [_s(paragraph), ""]
        table = _get(section, "table")
        if _truthy(table):
            columns = _list(_get(table, "columns"))
            lines.append("| %s |" % " | ".join(_s(_get(c, "title")) for c in columns))
            lines.append("|%s|" % "|".join("---" for _ in columns))
            for row in _list(_get(table, "rows")):
                cells = []
                for i, cell in enumerate(row):
                    cell = _s(cell)
                    # A FAIL stands out in Markdown too: it is the one result in bold.
                    if _get(columns[i], "kind") == "result" and cell == "FAIL":
                        cell = "**FAIL**"
                    cells.append(_md_cell(cell))
                lines.append("| %s |" % " | ".join(cells))
            lines.append("")
    return "\n".join(lines)


def _html(text):
    return _s(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _verdict_html(line):
    """The verdict sentences open with their headline ("FIPS mode: IN FORCE."): the banner sets it in bold."""
    summary = _s(_get(line, "summary"))
    cut = summary.find(". ") + 1
    headline, reason = (summary[:cut], summary[cut:]) if cut > 0 else (summary, "")
    next_step = _get(line, "nextStep")
    return (
        '<div class="verdict-line %s">\n' % ("holds" if _truthy(_get(line, "holds")) else "fails")
        + '<p class="verdict-summary"><strong>%s</strong>%s</p>\n' % (_html(headline), _html(reason))
        + ('<p class="next-step">Next step: %s</p>\n' % _html(next_step) if _truthy(next_step) else "")
        + "</div>"
    )


def _cell_html(kind, text):
    text = _s(text)
    if kind == "result":
        return '<td class="result"><span class="mark mark-%s">%s</span></td>' % (text.lower(), _html(text))
    if kind == "key":
        return '<td class="key"><code>%s</code></td>' % _html(text)
    return '<td class="%s">%s</td>' % (_s(kind), _html(text))


def _table_html(table):
    columns = _list(_get(table, "columns"))
    kinds = [_get(c, "kind") for c in columns]
    result = kinds.index("result") if "result" in kinds else -1
    head = "<thead><tr>%s</tr></thead>" % "".join('<th class="%s">%s</th>' % (_s(_get(c, "kind")), _html(_get(c, "title"))) for c in columns)
    body = []
    for row in _list(_get(table, "rows")):
        cells = "".join(_cell_html(kinds[i], cell) for i, cell in enumerate(row))
        failed = 0 <= result < len(row) and row[result] == "FAIL"
        body.append('<tr class="failed">%s</tr>' % cells if failed else "<tr>%s</tr>" % cells)
    return "<table>\n%s\n<tbody>\n%s\n</tbody>\n</table>" % (head, "\n".join(body))


# Inline, because the page must stand alone (the CSP forbids anything else). The banner says its verdict in words,
# so it reads the same in black-and-white print; colour only helps the eye.
PAGE_STYLE = """
:root { --holds: #1a7f37; --holds-bg: #e6f4ea; --fails: #b42318; --fails-bg: #fdecea; --info: #57606a; --rule: #c8ccd0; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 72rem; margin: 1.5rem auto; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 1px solid var(--rule); }
p { margin: 0.4rem 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
.verdict h2 { margin-top: 0; }
.verdict-line { margin: 0 0 0.6rem; padding: 0.6rem 0.9rem; border: 1px solid; border-left-width: 0.45rem; border-radius: 4px; font-size: 1.05rem; }
.verdict-line p { margin: 0; }
.verdict-line.holds { border-color: var(--holds); background: var(--holds-bg); }
.verdict-line.fails { border-color: var(--fails); background: var(--fails-bg); }
.verdict-line.holds strong { color: var(--holds); }
.verdict-line.fails strong { color: var(--fails); }
.verdict-line .next-step { margin-top: 0.4rem; font-size: 0.95rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.88rem; }
th, td { border: 1px solid var(--rule); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f2f4; white-space: nowrap; }
td.result, td.key { white-space: nowrap; width: 1%; }
td.label { min-width: 9rem; width: 14rem; }
td.text { overflow-wrap: anywhere; }
td.digest { overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.82rem; }
@media screen and (min-width: 70rem) { td.digest { white-space: nowrap; } }
.mark { display: inline-block; min-width: 3.2em; padding: 0.05rem 0.35rem; border-radius: 3px; font-weight: 700; font-size: 0.8rem; text-align: center; color: #fff; }
.mark-pass { background: var(--holds); }
.mark-fail { background: var(--fails); }
.mark-info { background: var(--info); }
tr.failed td { background: var(--fails-bg); }
@media print {
  @page { margin: 12mm; }
  html { font-size: 13px; }
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  .verdict-line, tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


def render_html(sections):
    """evidence.html: a self-contained page (no scripts, no external resources) with the same sections, the verdict
    as a banner."""
    rendered = []
    for section in sections:
        verdict_lines = _get(section, "verdict")
        verdict = "\n".join(_verdict_html(line) for line in _list(verdict_lines)) + "\n" if _truthy(verdict_lines) else ""
        paragraphs = "\n".join("<p>%s</p>" % _html(p) for p in _list(_get(section, "paragraphs")))
        table = _get(section, "table")
        table = _table_html(table) if _truthy(table) else ""
        rendered.append(
            "<section%s>\n<h2>%s</h2>\n%s%s\n%s\n</section>"
            % (' class="verdict"' if _truthy(verdict_lines) else "", _html(_get(section, "title")), verdict, paragraphs, table)
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        "<title>FIPS evidence report</title>\n"
        "<style>%s</style>\n"
        "</head>\n"
        "<body>\n"
        "<h1>FIPS evidence report</h1>\n"
        "%s\n"
        "</body>\n"
        "</html>\n"
    ) % (PAGE_STYLE, "\n".join(rendered))


# --------------------------------------------------------------------------------------------------------------
# The CycloneDX 1.6 SBOM, as @cyclonedx/cyclonedx-library's JSON serialiser writes it with sortLists.

_HASH_VALUE = re.compile(r"[a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128}")
_URI_ESCAPES = (
    (" ", "%20"),
    ('"', "%22"),
    ("'", "%27"),
    ("[", "%5B"),
    ("]", "%5D"),
    ("<", "%3C"),
    (">", "%3E"),
    ("{", "%7B"),
    ("}", "%7D"),
)
_URI_COMPONENT_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")


def _encode_uri_component(text):
    return "".join(ch if ch in _URI_COMPONENT_SAFE else "".join("%%%02X" % b for b in ch.encode("utf-8")) for ch in text)


def _escape_uri(url):
    for character, escape in _URI_ESCAPES:
        url = url.replace(character, escape)
    return url


_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?\Z"
)


def _iso_timestamp(text):
    """new Date(text).toISOString() for an ISO 8601 date-time: UTC, milliseconds, "Z"."""
    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError("not an ISO 8601 date-time: %s" % text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    moment = datetime.datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), int(((fraction or "") + "000")[:3]) * 1000
    )
    if hour is None or zone == "Z":
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    elif zone:
        sign = 1 if zone[0] == "+" else -1
        offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        moment = moment.replace(tzinfo=datetime.timezone(sign * offset))
    else:
        moment = moment.astimezone()  # JavaScript reads a date-time with no offset as local time
    utc = moment.astimezone(datetime.timezone.utc)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond // 1000)


class _Component(object):
    """A CycloneDX component being built: its dependencies are other components, so a reference renamed to make it
    unique stays right wherever it is used."""

    def __init__(self, kind, name, bom_ref=UNDEFINED, version=UNDEFINED, purl=UNDEFINED, description=UNDEFINED):
        self.kind = kind
        self.name = name
        self.bom_ref = bom_ref
        self.version = version
        self.purl = purl
        self.description = description
        self.hashes = []
        self.external_references = []
        self.properties = []
        self.dependencies = []

    def depends_on(self, component):
        if all(d is not component for d in self.dependencies):
            self.dependencies.append(component)

    def ref(self):
        return self.bom_ref if isinstance(self.bom_ref, str) else ""

    def to_json(self):
        version = _nc(self.version, "")
        # A value that is no digest of a known length is left out, as the library leaves it out (the list stays).
        hashes = [
            {"alg": alg, "content": content}
            for alg, content in sorted(self.hashes, key=lambda h: (_collation_key(h[0]), _collation_key(_s(h[1]))))
            if isinstance(content, str) and _HASH_VALUE.fullmatch(content)
        ]
        references = sorted(self.external_references, key=lambda r: (_collation_key(r["type"]), _collation_key(r["url"])))
        properties = sorted(self.properties, key=lambda p: (_collation_key(_s(p[0])), _collation_key(_s(p[1]))))
        return _obj(
            [
                ("type", self.kind),
                ("name", self.name),
                ("version", version if isinstance(version, str) and version else UNDEFINED),
                ("bom-ref", self.bom_ref if _truthy(self.bom_ref) else UNDEFINED),
                ("description", self.description if _truthy(self.description) else UNDEFINED),
                ("hashes", hashes if self.hashes else UNDEFINED),
                ("purl", self.purl),
                (
                    "externalReferences",
                    [_obj([("url", _escape_uri(r["url"])), ("type", r["type"]), ("comment", r["comment"] if _truthy(r["comment"]) else UNDEFINED)]) for r in references]
                    if references
                    else UNDEFINED,
                ),
                ("properties", [_obj([("name", n), ("value", v)]) for n, v in properties] if properties else UNDEFINED),
            ]
        )


def _compare_components(a, b):
    order = _locale_compare(a.ref(), b.ref())
    if order:
        return order
    if a.purl is not UNDEFINED and b.purl is not UNDEFINED:
        return _locale_compare(_s(a.purl), _s(b.purl))
    return _locale_compare(a.name, b.name) or _locale_compare(_s(_nc(a.version, "")), _s(_nc(b.version, "")))


def _source_reference(lock):
    location = _s(_get(lock, "location"))
    url = location if re.match(r"https?://", location) else "urn:fipskit:source:%s" % _encode_uri_component(location)
    comment = "%s sha256:%s; %s" % (_s(_nc(_get(lock, "fileName"), "source tree")), _s(_get(lock, "sha256")), _s(_get(lock, "verification")))
    return {"url": url, "type": "source-distribution", "comment": comment}


def _library(name, lock, bom_ref, description, authenticity):
    version = _get(lock, "version")
    component = _Component("library", name, bom_ref=bom_ref, version=version, purl="pkg:generic/%s@%s" % (name, _s(version)), description=description)
    component.external_references.append(_source_reference(lock))
    component.properties.append(("fipskit:source:sha256", _get(lock, "sha256")))
    if _truthy(authenticity):
        component.properties.append(("fipskit:source:signature", _get(authenticity, "status")))
        signer = _get(authenticity, "signer")
        if _truthy(signer):
            component.properties.append(("fipskit:source:signed-by", _get(signer, "fingerprint")))
    return component


def _discriminate(components):
    """Every bom-ref unique and non-empty, as the library's serialiser makes them (it draws random names; these are
    numbered, which no random module is needed for)."""
    known = set([""])
    for number, component in enumerate(components):
        if not isinstance(component.bom_ref, str) or component.bom_ref in known:
            component.bom_ref = "BomRef.%d" % number
        known.add(component.bom_ref)


def sbom_json(evidence, now_iso, fipskit_version):
    """sbom.cdx.json: OpenSSL, the FIPS provider (with its CMVP status), CPython, and every produced file with its
    SHA-256, each file linked to the component it belongs to. `now_iso` is the report's generatedAt."""
    openssl = _get(evidence, "openssl")
    report = _get(evidence, "report")
    python = _get(evidence, "python")
    fips_provider = _get(openssl, "fipsProvider")
    provider_source = _get(fips_provider, "source")

    product = _Component(
        "application", "fips-python", bom_ref="fips-python", version=_path(report, "interpreter", "version"), description="FIPS-mode Python: %s" % _s(_get(report, "python"))
    )
    openssl_component = _library(
        "openssl", _get(openssl, "source"), "openssl", "OpenSSL %s: libcrypto, libssl and the openssl program" % _s(_get(openssl, "version")), _path(openssl, "authenticity", "source")
    )
    provider = _library(
        "openssl-fips-provider",
        _nc(provider_source, _get(openssl, "source")),
        "openssl-fips-provider",
        "OpenSSL FIPS Provider %s: %s" % (_s(_get(fips_provider, "version")), _s(_get(fips_provider, "status"))),
        _path(openssl, "authenticity", "fipsProvider") if _truthy(provider_source) else _path(openssl, "authenticity", "source"),
    )
    provider.properties.append(("fipskit:fips:validated", _s(_get(fips_provider, "validated"))))
    if _truthy(_get(fips_provider, "certificate")):
        provider.properties.append(("fipskit:fips:cmvp-certificate", _get(fips_provider, "certificate")))
        provider.properties.append(("fipskit:fips:standard", _nc(_get(fips_provider, "standard"), "")))
    # The certificate's standing on the day the report was judged, and the date of the CMVP data it was judged by.
    validation = _get(report, "fipsProviderValidation")
    for key, name in (
        ("certificateStatus", "fipskit:fips:certificate-status"),
        ("sunset", "fipskit:fips:sunset"),
        ("historicalSince", "fipskit:fips:historical-since"),
        ("judgedOn", "fipskit:fips:judged-on"),
        ("dataAsOf", "fipskit:fips:cmvp-data-as-of"),
    ):
        if _truthy(_get(validation, key)):
            provider.properties.append((name, _s(_get(validation, key))))
    libraries = [openssl_component, provider]
    if _truthy(python):
        source = _get(python, "source")
        libraries.append(
            _library(
                "cpython",
                source,
                "cpython",
                "CPython %s (%s for %s)" % (_s(_get(source, "version")), _s(_get(python, "mode")), _s(_path(python, "interpreter", "path"))),
                _get(python, "sourceAuthenticity"),
            )
        )
    components = list(libraries)
    for library in libraries:
        product.depends_on(library)

    def owner(path):
        if "ossl-modules/fips." in path:
            return provider
        if path.startswith("python/"):
            return libraries[2] if len(libraries) > 2 else product
        if path.startswith("openssl/"):
            return openssl_component
        return product

    for file in _list(_get(evidence, "files")):
        path = _s(_get(file, "path"))
        component = _Component("file", path, bom_ref="file:%s" % path, description=_get(file, "role"))
        component.hashes.append(("SHA-256", _get(file, "sha256")))
        components.append(component)
        owner(path).depends_on(component)

    in_graph = [product] + components
    _discriminate(in_graph)
    dependencies = []
    for component in in_graph:
        if not component.ref():
            continue
        depends_on = sorted(
            (d.ref() for d in component.dependencies if d is not component and any(d is c for c in in_graph) and d.ref()), key=_collation_key
        )
        dependencies.append(_obj([("ref", component.ref()), ("dependsOn", depends_on if depends_on else UNDEFINED)]))
    dependencies.sort(key=lambda d: _collation_key(d["ref"]))

    tool = _Component("application", "fipskit", version=fipskit_version)
    document = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SBOM_SPEC_VERSION,
        "version": 1,
        "metadata": {"timestamp": _iso_timestamp(now_iso), "tools": {"components": [tool.to_json()]}, "component": product.to_json()},
        "components": [c.to_json() for c in sorted(components, key=functools.cmp_to_key(_compare_components))],
        "dependencies": dependencies,
    }
    return json_text(document, 2) + "\n"
