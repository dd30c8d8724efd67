# Prints what fipskit needs to know about the interpreter it runs in, as one JSON object.
import json
import os
import sys
import sysconfig

paths = sysconfig.get_paths()
print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "implementation": sys.implementation.name,
    "include": paths.get("include"),
    "platinclude": paths.get("platinclude"),
    "extSuffix": sysconfig.get_config_var("EXT_SUFFIX"),
    "builtinModules": sorted(sys.builtin_module_names),
    "hasPythonH": os.path.exists(os.path.join(paths.get("include") or "", "Python.h")),
}))
