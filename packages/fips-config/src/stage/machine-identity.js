// A digest that identifies this machine and this workspace path. The fips-config target hashes it as a
// runtime input (bin/machine-identity.js prints it), so its output (fipsinstall's MAC and absolute .include
// paths) is only ever reused on the machine, and in the checkout, that produced it; the executor records the
// same digest in fips-config.json. Plain JavaScript, so that Node runs the runtime input without a compiler.
'use strict';
const { createHash } = require('node:crypto');
const { closeSync, mkdirSync, openSync, readFileSync, writeSync } = require('node:fs');
const { dirname } = require('node:path');
const { randomBytes } = require('node:crypto');
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

/**
 * Where Linux keeps the machine id (systemd's, then D-Bus's), then the one fipskit persists on a machine that has
 * neither (a minimal container, a chroot): without any, two machines with the same host name would look the same.
 */
const LINUX_MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id', '/var/lib/fipskit/machine-id'];

function platformMachineId(files = LINUX_MACHINE_ID_FILES) {
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
  return readFirst(files);
}

/**
 * This machine alone, without a workspace path: what a FIPS configuration is bound to at run time. The FIPS Python
 * computes the same digest at start-up (the runtime's _fipskit_boot) and refuses a configuration written by
 * fipsinstall on another machine; fipskit-setup in a shipped bundle writes it the same way.
 */
function hostIdentity(files = LINUX_MACHINE_ID_FILES) {
  const parts = [platformMachineId(files), os.hostname(), process.platform];
  return { digest: createHash('sha256').update(parts.join('\n')).digest('hex'), hostname: os.hostname(), machineIdKnown: parts[0] !== '' };
}

/**
 * hostIdentity for binding a FIPS configuration: on a Linux machine with no machine id, fipskit first persists a random
 * one (the last of the files, created once, never replaced), or refuses, naming the fix, when it cannot write it.
 */
function bindingHostIdentity(files = LINUX_MACHINE_ID_FILES) {
  if (process.platform !== 'linux' || platformMachineId(files)) return hostIdentity(files);
  const persisted = files[files.length - 1];
  try {
    mkdirSync(dirname(persisted), { recursive: true });
    let fd;
    try {
      fd = openSync(persisted, 'wx', 0o644);
    } catch (error) {
      // Another run kept one first: that one is this machine's.
      if (!error || error.code !== 'EEXIST') throw error;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${randomBytes(16).toString('hex')}\n`);
      } finally {
        closeSync(fd);
      }
    }
  } catch (error) {
    throw new Error(
      `This machine has no machine id (${files.slice(0, -1).join(', ')} are missing or empty) and fipskit could not keep one in ${persisted} ` +
        `(${error && error.code ? error.code : error}): without one, a FIPS configuration copied to another machine with the same host name would not be noticed. ` +
        `Give the machine an id (as root: systemd-machine-id-setup, or dbus-uuidgen --ensure=/etc/machine-id), or run this once as root so fipskit can keep one, then run again.`,
    );
  }
  const identity = hostIdentity(files);
  if (!identity.machineIdKnown) throw new Error(`${persisted} is empty: remove it and run again, so fipskit writes a machine id into it.`);
  return identity;
}

/**
 * The fips-config cache key's machine part, with the id the binding uses (bindingHostIdentity). A machine that has no id
 * yet (a fresh container: every one has the same host name and no id until fips-config keeps one) gets a key no other
 * run shares, so it can never restore another machine's fipsinstall output; once fips-config has kept its id, the key
 * is stable.
 */
function machineIdentity(workspaceRoot, files = LINUX_MACHINE_ID_FILES) {
  const id = platformMachineId(files) || `no machine id yet: ${randomBytes(16).toString('hex')}`;
  const parts = [id, os.hostname(), process.platform, os.arch(), workspaceRoot];
  return { digest: createHash('sha256').update(parts.join('\n')).digest('hex'), hostname: os.hostname() };
}

module.exports = { LINUX_MACHINE_ID_FILES, bindingHostIdentity, hostIdentity, machineIdentity };
