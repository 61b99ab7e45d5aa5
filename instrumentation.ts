/**
 * Runs once when the server starts: each request's client address is stamped from its socket
 * (route handlers see none), and what a crash or a kill left behind is settled before the first
 * request (an interrupted upload reads failed and its events go; a detection run that was owed,
 * or cut off, runs again in the background).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { stampClientAddresses } = await import("./lib/server/client-address-stamp");
  stampClientAddresses();
  const { recoverAfterRestart } = await import("./lib/server/recover-after-restart");
  await recoverAfterRestart();
}
