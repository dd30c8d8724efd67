"""fipskit: FIPS mode from the interpreter's first line (before any extension module can bring its own
libcrypto), then the sitecustomize this Python had."""
import _fipskit_boot

_fipskit_boot.activate_at_startup()
_fipskit_boot.run_next_sitecustomize()
