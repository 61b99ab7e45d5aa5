import "server-only";

/**
 * Whether a process with this id exists on this machine (signal 0 only checks). Not a positive
 * id (a corrupt record): no, as 0 and negative ids name process groups.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
