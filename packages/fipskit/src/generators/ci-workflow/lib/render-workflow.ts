export interface WorkflowInput {
  baseBranch: string;
  platforms: Array<'linux' | 'win32'>;
  remoteCache: 'self-hosted' | 'none';
  windowsPythonVersion: string;
  linuxContainer?: string;
}

const RUNNERS = { linux: 'ubuntu-latest', win32: 'windows-latest' } as const;
const ALL_PLATFORMS = ['linux', 'darwin', 'win32'] as const;

/** `--exclude` for one runner: every fipskit project tagged for another platform. */
export function excludeOtherPlatforms(platform: 'linux' | 'win32'): string {
  return ALL_PLATFORMS.filter((p) => p !== platform)
    .map((p) => `tag:platform:${p}`)
    .join(',');
}

/** The workflow as YAML text (written by hand: a fixed, reviewed shape with a few values filled in). */
export function renderWorkflow(input: WorkflowInput): string {
  const container = (platform: string) => (platform === 'linux' && input.linuxContainer ? `\n            container: ${input.linuxContainer}` : '');
  const matrix = input.platforms
    .map(
      (platform) =>
        `          - os: ${RUNNERS[platform]}\n            platform: ${platform}\n            exclude: '${excludeOtherPlatforms(platform)}'${container(platform)}`,
    )
    .join('\n');
  const sudo = input.linuxContainer ? '' : 'sudo ';
  const cacheEnv =
    input.remoteCache === 'self-hosted'
      ? [
          '  # Nx self-hosted remote cache (GET/PUT /v1/cache/{hash}). Only pushes to the base branch may write:',
          '  # pull requests get a read-only token, so an untrusted branch can never plant an entry.',
          '  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: ${{ vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER }}',
          `  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: \${{ github.event_name == 'push' && github.ref == 'refs/heads/${input.baseBranch}' && secrets.NX_CACHE_WRITE_TOKEN || secrets.NX_CACHE_READ_TOKEN }}`,
        ]
      : [];
  return `# Written by nx g fipskit:ci-workflow. Builds and verifies the fipskit projects a change affects; once a week,
# every project, after rebuilding its OpenSSL and Python stages from source and comparing them with what the cache holds.
name: fipskit

on:
  pull_request:
  push:
    branches: [${input.baseBranch}]
  workflow_dispatch:
  schedule:
    - cron: '23 4 * * 1'

permissions:
  contents: read

env:
  NX_DAEMON: 'false'
  NX_NO_CLOUD: 'true'
  NX_TUI: 'false'
${cacheEnv.join('\n')}${cacheEnv.length ? '\n' : ''}
jobs:
  fips-python:
    strategy:
      fail-fast: false
      matrix:
        include:
${matrix}
    runs-on: \${{ matrix.os }}
${input.linuxContainer ? '    container: ${{ matrix.container }}\n' : ''}    timeout-minutes: 120
    steps:
      # Before checkout: in a container, checkout without git fetches plain files, and nx affected needs the history.
      - name: Build tools (Linux)
        if: matrix.platform == 'linux'
        run: ${sudo}apt-get update && ${sudo}apt-get install -y ca-certificates git build-essential perl xz-utils python3-dev libffi-dev zlib1g-dev

      - uses: actions/checkout@v4
        with:
          fetch-depth: 0

      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm

      - name: Python (Windows)
        id: python
        if: matrix.platform == 'win32'
        uses: actions/setup-python@v5
        with:
          python-version: '${input.windowsPythonVersion}'
          architecture: x64

      - name: MSVC environment (Windows)
        if: matrix.platform == 'win32'
        uses: ilammy/msvc-dev-cmd@v1
        with:
          arch: x64

      - name: NASM (Windows)
        if: matrix.platform == 'win32'
        uses: ilammy/setup-nasm@v1

      - run: npm ci

      # setup-python installs under the runner's tool cache, not where the projects name their interpreter.
      - name: Point the Windows projects at this runner's Python
        if: matrix.platform == 'win32'
        shell: pwsh
        run: npx nx g fipskit:set-interpreter --platform=win32 --interpreter="\${{ steps.python.outputs.python-path }}" --no-interactive

      # The base and head commits nx affected compares (the last successful run on the base branch).
      - uses: nrwl/nx-set-shas@v4
        with:
          main-branch-name: ${input.baseBranch}

      # Weekly: the OpenSSL and Python outputs as the cache delivers them, against a rebuild from source with no cache.
      # A cache entry that is not what its source builds to fails here; verify's evidence then cites audit.json.
      - name: Reproducibility audit (scheduled)
        if: github.event_name == 'schedule'
        run: npx nx run-many -t audit --exclude='\${{ matrix.exclude }}'

      - name: Build and verify what this change affects (every project when scheduled)
        run: npx nx \${{ github.event_name == 'schedule' && 'run-many' || 'affected' }} -t build --exclude='\${{ matrix.exclude }}'

      # Weekly: each project's verification report judged again against fipskit's CMVP certificate data, today. A
      # certificate goes historical (or past its sunset) without any rebuild; this fails when a claim changed.
      - name: Compliance re-check (scheduled)
        if: github.event_name == 'schedule'
        run: npx nx run-many -t compliance --exclude='\${{ matrix.exclude }}'

      - name: Put installed Pythons back (Windows)
        if: always() && matrix.platform == 'win32'
        run: npx nx affected -t restore --exclude='\${{ matrix.exclude }}'

      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: fipskit-verify-\${{ matrix.platform }}
          path: |
            dist/*/verify
            dist/*/audit
            dist/*/compliance
            tmp/fipskit/**/*.log
          if-no-files-found: ignore
`;
}
