/*
 * fipskit's bin/python3.X: the interpreter's own binary, started only where it finds this installation.
 *
 * Python takes its home from PYTHONHOME and its library directory from PYTHONPLATLIBDIR before any Python code
 * runs: with PYTHONHOME=/usr a FIPS Python would start as the system's, with the system's _hashlib and OpenSSL, and
 * nothing of fipskit's could notice. This launcher refuses such a start loudly (exit 1, naming FIPS, the variable
 * and the fix) unless -E or -I tells Python to ignore the environment, then runs the real binary with the same
 * arguments. Python computes its prefix from argv[0] (this launcher's path, a link to it or a venv's python), so
 * the real binary can live beside fipskit's modules. A bare argv[0] (`exec -a python3`) that PATH resolves to
 * another program, or to nothing, is replaced by this launcher's own path: Python would take that program's
 * prefix, or its compiled-in one.
 *
 * Compiled per build: FIPSKIT_REAL is the real binary relative to the launcher's directory, FIPSKIT_PLATLIBDIR the
 * interpreter's own library directory name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#ifndef FIPSKIT_REAL
#error "FIPSKIT_REAL (the real interpreter, relative to the launcher's directory) must be defined"
#endif
#ifndef FIPSKIT_PLATLIBDIR
#define FIPSKIT_PLATLIBDIR "lib"
#endif

static int refuse(const char *what, const char *value, const char *fix) {
    fprintf(stderr,
            "fipskit: this Python runs in FIPS mode only, and %s=%s would start it outside FIPS mode: %s. "
            "Unset %s (this Python finds its own home), or start it with -E or -I, which ignore the environment.\n",
            what, value, fix, what);
    return 1;
}

/* The launcher's own file, links resolved. */
static int self_path(char *out, size_t size) {
#ifdef __APPLE__
    char found[PATH_MAX];
    uint32_t length = sizeof(found);
    if (_NSGetExecutablePath(found, &length) != 0) return -1;
    return realpath(found, out) ? 0 : -1;
#else
    (void)size;
    return realpath("/proc/self/exe", out) ? 0 : -1;
#endif
}

static void parent(char *path) {
    char *slash = strrchr(path, '/');
    if (slash == path) slash[1] = '\0';
    else if (slash) *slash = '\0';
}

static int executable_file(const char *path) { return access(path, X_OK) == 0; }

/* `home = <dir>` from a venv's pyvenv.cfg: where the launcher a venv copied (--copies) came from. */
static int venv_home(const char *bin_dir, char *out, size_t size) {
    const char *candidates[] = {"%s/pyvenv.cfg", "%s/../pyvenv.cfg"};
    for (size_t i = 0; i < 2; i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), candidates[i], bin_dir) >= (int)sizeof(path)) continue;
        FILE *cfg = fopen(path, "r");
        if (!cfg) continue;
        char line[PATH_MAX + 64];
        while (fgets(line, sizeof(line), cfg)) {
            char *key = line;
            while (*key == ' ' || *key == '\t') key++;
            if (strncmp(key, "home", 4) != 0) continue;
            char *value = key + 4;
            while (*value == ' ' || *value == '\t') value++;
            if (*value != '=') continue;
            value++;
            while (*value == ' ' || *value == '\t') value++;
            value[strcspn(value, "\r\n")] = '\0';
            size_t end = strlen(value);
            while (end && (value[end - 1] == ' ' || value[end - 1] == '\t')) value[--end] = '\0';
            fclose(cfg);
            if (snprintf(out, size, "%s", value) >= (int)size) return -1;
            return 0;
        }
        fclose(cfg);
    }
    return -1;
}

/* -E or -I among the interpreter's own options (before -c, -m, a script or "-"). */
static int ignores_environment(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0) return 0;
        if (arg[1] == '-') {
            if (strcmp(arg, "--check-hash-based-pycs") == 0) i++;
            continue;
        }
        for (const char *flag = arg + 1; *flag; flag++) {
            if (*flag == 'E' || *flag == 'I') return 1;
            if (*flag == 'c' || *flag == 'm') return 0;
            if (*flag == 'W' || *flag == 'X') {
                if (flag[1] == '\0') i++;
                break;
            }
        }
    }
    return 0;
}

/* Whether argv[0], a name without a slash, is this launcher as Python finds it: the first PATH entry holding an
 * executable of that name (getpath's search), links resolved. Another program there would give Python its prefix. */
static int names_self(const char *name, const char *self) {
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/bin:/usr/bin";
    while (*path) {
        size_t length = strcspn(path, ":");
        char candidate[PATH_MAX];
        if (snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)length, length ? path : ".", name) < (int)sizeof(candidate) &&
            executable_file(candidate)) {
            char resolved[PATH_MAX];
            return realpath(candidate, resolved) && strcmp(resolved, self) == 0;
        }
        path += length;
        if (*path == ':') path++;
    }
    return 0;
}

int main(int argc, char **argv) {
    char self[PATH_MAX];
    if (self_path(self, sizeof(self)) != 0) {
        fprintf(stderr, "fipskit: this Python cannot find its own file (%s), so it cannot find its installation\n", strerror(errno));
        return 1;
    }
    char bin_dir[PATH_MAX];
    snprintf(bin_dir, sizeof(bin_dir), "%s", self);
    parent(bin_dir);

    char real[PATH_MAX];
    char home[PATH_MAX];
    if (snprintf(real, sizeof(real), "%s/%s", bin_dir, FIPSKIT_REAL) >= (int)sizeof(real) || !executable_file(real)) {
        /* A copy of this launcher in a venv (python -m venv --copies): the installation is the venv's home. */
        if (venv_home(bin_dir, home, sizeof(home)) != 0 || snprintf(real, sizeof(real), "%s/%s", home, FIPSKIT_REAL) >= (int)sizeof(real) ||
            !executable_file(real)) {
            fprintf(stderr,
                    "fipskit: the interpreter this FIPS Python starts (%s/%s) is missing: the Python output is incomplete or this "
                    "file was copied out of it. Build its python stage again, or start the Python in its own bin directory\n",
                    bin_dir, FIPSKIT_REAL);
            return 1;
        }
        char real_bin[PATH_MAX];
        if (realpath(home, real_bin)) snprintf(bin_dir, sizeof(bin_dir), "%s", real_bin);
    }

    if (!ignores_environment(argc, argv)) {
        const char *python_home = getenv("PYTHONHOME");
        if (python_home && *python_home) {
            char prefix[PATH_MAX];
            snprintf(prefix, sizeof(prefix), "%s", bin_dir);
            parent(prefix);
            /* PYTHONHOME is "prefix" or "prefix:exec_prefix": each part must be this installation. */
            char copy[PATH_MAX];
            snprintf(copy, sizeof(copy), "%s", python_home);
            for (char *part = strtok(copy, ":"); part; part = strtok(NULL, ":")) {
                char resolved[PATH_MAX];
                if (!realpath(part, resolved) || strcmp(resolved, prefix) != 0)
                    return refuse("PYTHONHOME", python_home,
                                  "Python would take its standard library and extension modules (_hashlib, _ssl) from there, "
                                  "with another OpenSSL and CPython's own hash code");
            }
        }
        const char *platlibdir = getenv("PYTHONPLATLIBDIR");
        if (platlibdir && *platlibdir && strcmp(platlibdir, FIPSKIT_PLATLIBDIR) != 0)
            return refuse("PYTHONPLATLIBDIR", platlibdir,
                          "Python would look for its extension modules there instead of in " FIPSKIT_PLATLIBDIR
                          "/, and the system's _hashlib with another OpenSSL would load");
    }

    if (argc > 0 && !strchr(argv[0], '/') && !names_self(argv[0], self)) argv[0] = self;
    execv(real, argv);
    fprintf(stderr, "fipskit: cannot start %s: %s\n", real, strerror(errno));
    return 127;
}
