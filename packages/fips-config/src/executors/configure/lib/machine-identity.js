// A digest that identifies this machine and this workspace path. The fips-config target hashes it as a
// runtime input (bin/machine-identity.js prints it), so its output (fipsinstall's MAC and absolute .include
// paths) is only ever reused on the machine, and in the checkout, that produced it; the executor records the
// same digest in fips-config.json. Plain JavaScript, so that Node runs the runtime input without a compiler.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const os = require('node:os');

function readFirst(files) {
  for (const file of files) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (text) return text;
    } catch {
      // try the next place
    }
  }
  return '';
}

function platformMachineId() {
  if (process.platform === 'win32') {
    const out = spawnSync('reg', ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid'], {
      encoding: 'utf8',
      windowsHide: true,
    });
    const match = /MachineGuid\s+REG_SZ\s+(\S+)/.exec(out.stdout || '');
    return match ? match[1] : '';
  }
  if (process.platform === 'darwin') {
    const out = spawnSync('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice'], { encoding: 'utf8' });
    const match = /"IOPlatformUUID" = "([^"]+)"/.exec(out.stdout || '');
    return match ? match[1] : '';
  }
  return readFirst(['/etc/machine-id', '/var/lib/dbus/machine-id']);
}

/**
 * This machine alone, without a workspace path: what a FIPS configuration is bound to at run time. The FIPS Python
 * computes the same digest at start-up (the runtime's _fipskit_boot) and refuses a configuration written by
 * fipsinstall on another machine; fipskit-setup in a shipped bundle writes it the same way.
 */
function hostIdentity() {
  const parts = [platformMachineId(), os.hostname(), process.platform];
  return { digest: createHash('sha256').update(parts.join('\n')).digest('hex'), hostname: os.hostname(), machineIdKnown: parts[0] !== '' };
}

function machineIdentity(workspaceRoot) {
  const parts = [platformMachineId(), os.hostname(), process.platform, os.arch(), workspaceRoot];
  return { digest: createHash('sha256').update(parts.join('\n')).digest('hex'), hostname: os.hostname() };
}

module.exports = { hostIdentity, machineIdentity };
