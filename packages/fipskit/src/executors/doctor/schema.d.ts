/**
 * Checks, without building anything, that this machine has everything the project's stages need: Node.js, the
 * OpenSSL build tools (perl with its modules, make, a C compiler; on Windows MSVC, nmake/jom and NASM), apt for
 * Debian sources, and the interpreter with its headers (on Windows MSBuild and the Python's import library).
 * Prints each result and how to get what is missing; fails when anything is.
 * @title Doctor
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the doctor takes no options; its schema is generated from this interface
export interface DoctorOptions {}
