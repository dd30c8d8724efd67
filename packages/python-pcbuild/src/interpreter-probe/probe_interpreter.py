# Prints what fipskit needs to know about the interpreter it runs in, as one JSON object.
import json
import os
import site
import sys
import sysconfig

paths = sysconfig.get_paths()
shared = sysconfig.get_config_var("Py_ENABLE_SHARED") and sysconfig.get_config_var("INSTSONAME")
print(json.dumps({
    "executable": sys.executable,
    "realExecutable": os.path.realpath(sys.executable),
    "version": "%d.%d.%d" % sys.version_info[:3],
    "implementation": sys.implementation.name,
    "prefix": sys.prefix,
    "basePrefix": sys.base_prefix,
    "platlibdir": getattr(sys, "platlibdir", "lib"),
    "stdlib": paths.get("stdlib"),
    "platstdlib": paths.get("platstdlib"),
    "libDynload": sysconfig.get_config_var("DESTSHARED"),
    "include": paths.get("include"),
    "platinclude": paths.get("platinclude"),
    "sitePackages": site.getsitepackages() if hasattr(site, "getsitepackages") else [],
    "sharedLibrary": os.path.join(sysconfig.get_config_var("LIBDIR") or "", shared) if shared else None,
    "extSuffix": sysconfig.get_config_var("EXT_SUFFIX"),
    "builtinModules": sorted(sys.builtin_module_names),
    "hasPythonH": os.path.exists(os.path.join(paths.get("include") or "", "Python.h")),
}))
