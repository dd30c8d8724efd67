"""fipskit: the real _hashlib, loaded only once FIPS mode is in force (see _fipskit_boot)."""
import _fipskit_boot

_fipskit_boot.activate()
_fipskit_boot.load_extension(__name__)
