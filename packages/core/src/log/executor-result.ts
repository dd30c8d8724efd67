/**
 * The edge of every executor: a refusal or failure arrives as its message on the terminal
 * (it already says what to do) and a failed task — never as a stack trace.
 */
export async function executorResult(stage: string, print: (line: string) => void, work: () => Promise<boolean | void>): Promise<{ success: boolean }> {
  try {
    return { success: (await work()) !== false };
  } catch (error) {
    print(`[${stage}] ${error instanceof Error ? error.message : String(error)}`);
    return { success: false };
  }
}
