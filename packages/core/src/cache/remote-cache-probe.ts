/** What asking the team's Nx remote cache once told us, before Nx itself depends on it. */
export interface RemoteCacheProbe {
  url: string;
  ok: boolean;
  message: string;
}

const BUILD_LOCALLY = 'build locally with --skip-remote-cache (or unset NX_SELF_HOSTED_REMOTE_CACHE_SERVER)';

/**
 * Asks the self-hosted remote cache Nx is configured with (NX_SELF_HOSTED_REMOTE_CACHE_SERVER) for an entry
 * nobody stores, with a time limit. Nx has none: a server that accepts the connection but never answers
 * makes a build wait without a word at the first cached stage, so this is where the user hears about it.
 * Undefined when no remote cache is configured or it is switched off.
 */
export async function probeRemoteCache(env: NodeJS.ProcessEnv = process.env, timeoutMs = 10_000): Promise<RemoteCacheProbe | undefined> {
  const configured = env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER?.trim();
  if (!configured || env.NX_SKIP_REMOTE_CACHE === 'true' || env.NX_DISABLE_REMOTE_CACHE === 'true') return undefined;
  // What is printed: the URL without the user name and password it may carry, which fetch() takes as a header instead.
  const server = withoutCredentials(configured);
  const { url, basic } = splitCredentials(`${configured.replace(/\/+$/, '')}/v1/cache/0`);
  const token = env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN;
  const authorization = token ? `Bearer ${token}` : basic ? `Basic ${basic}` : undefined;
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(url, { headers: authorization ? { Authorization: authorization } : {}, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return {
        url: server,
        ok: false,
        message:
          `the remote cache ${server} did not answer within ${timeoutMs / 1000} s. Nx waits for its remote cache without a time limit, ` +
          `so this build may stop without a word at the first cached stage: fix the server, or ${BUILD_LOCALLY}.`,
      };
    }
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return {
      url: server,
      ok: false,
      message: `the remote cache ${server} cannot be reached (${cause}): Nx stops with "Failed to send request". Start the server, or ${BUILD_LOCALLY}.`,
    };
  }
  const body = (await response.text().catch(() => '')).trim().slice(0, 200);
  const ms = Date.now() - started;
  if (response.status === 200 || response.status === 404) {
    return { url: server, ok: true, message: `the remote cache ${server} answers (HTTP ${response.status} in ${ms} ms)` };
  }
  if (response.status === 401 || response.status === 403) {
    return {
      url: server,
      ok: false,
      message:
        `the remote cache ${server} refuses the token (HTTP ${response.status}${body ? `: ${body}` : ''}): Nx stops with "Unauthorized". ` +
        `Set NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN to a valid token, or ${BUILD_LOCALLY}.`,
    };
  }
  return {
    url: server,
    ok: false,
    message: `the remote cache ${server} answers HTTP ${response.status}${body ? ` (${body})` : ''}: Nx stops with "Misconfigured remote cache endpoint". Fix the server, or ${BUILD_LOCALLY}.`,
  };
}

/** `https://user:secret@cache.example/` → `https://***@cache.example/`: a URL fit to print in a log. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '***';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // Not a URL Node reads: hide whatever stands before an @ in its authority.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
  }
}

function splitCredentials(url: string): { url: string; basic?: string } {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return { url };
    const basic = Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64');
    parsed.username = '';
    parsed.password = '';
    return { url: parsed.toString(), basic };
  } catch {
    return { url };
  }
}
