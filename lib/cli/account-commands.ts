/**
 * `cw user …`, `cw token …` and `cw first-run`: accounts and ingest tokens from the server's own
 * machine, through the same code as the Accounts page. Every change is audited as cli:<OS user>.
 */
import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import type { AuditAction } from "../auth/audit-actions";
import { changeAccount, countAccounts, createAccount, createToken, listAccounts, listTokens, revokeToken, roleSchema } from "../server/accounts";
import { recordAudit } from "../server/audit-log";

export class UsageError extends Error {}

const cliActor = () => `cli:${userInfo().username}`;
const audit = (action: AuditAction, target: string, detail?: Record<string, unknown>) => recordAudit({ actor: cliActor(), action, target, detail });

/** The password piped in (`--password-stdin`), without the one line break `echo` adds. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) console.error("Type the password, then Enter and Ctrl-D:");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

const parseRole = (value: unknown) => roleSchema.parse(value, { error: () => "--role must be admin, analyst or viewer" });

function requiredOption(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

export async function userCommand([subcommand, ...args]: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { username: { type: "string" }, role: { type: "string" }, "password-stdin": { type: "boolean" }, json: { type: "boolean" } } });
  switch (subcommand) {
    case "create": {
      const role = parseRole(values.role);
      if (!values["password-stdin"]) throw new UsageError("user create needs --password-stdin (the password is read from standard input)");
      const account = await createAccount({ username: requiredOption(values, "username"), role, password: await readPasswordFromStdin() });
      await audit("user.create", account.username, { role });
      console.log(`created ${account.username} (${account.role})`);
      return 0;
    }
    case "list": {
      const accounts = await listAccounts();
      if (values.json) console.log(JSON.stringify(accounts, null, 2));
      else for (const account of accounts) console.log(`${account.username.padEnd(30)} ${account.role.padEnd(8)} ${account.disabled ? "disabled" : "enabled "} created ${account.createdAt}`);
      return 0;
    }
    case "disable":
    case "enable": {
      const account = await changeAccount(requiredOption(values, "username"), { disabled: subcommand === "disable" });
      await audit(subcommand === "disable" ? "user.disable" : "user.enable", account.username);
      console.log(`${account.username} ${subcommand}d`);
      return 0;
    }
    case "reset-password": {
      if (!values["password-stdin"]) throw new UsageError("user reset-password needs --password-stdin");
      const account = await changeAccount(requiredOption(values, "username"), { password: await readPasswordFromStdin() });
      await audit("user.reset_password", account.username);
      console.log(`new password set for ${account.username}; its sessions were ended`);
      return 0;
    }
    case "set-role": {
      const role = parseRole(values.role);
      const account = await changeAccount(requiredOption(values, "username"), { role });
      await audit("user.set_role", account.username, { role });
      console.log(`${account.username} is now ${account.role}`);
      return 0;
    }
    default:
      throw new UsageError(subcommand ? `unknown user command "${subcommand}"` : "user needs a command: create, list, set-role, disable, enable, reset-password");
  }
}

export async function tokenCommand([subcommand, ...args]: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { name: { type: "string" }, json: { type: "boolean" } } });
  switch (subcommand) {
    case "create": {
      const { token, secret } = await createToken(requiredOption(values, "name"), cliActor());
      await audit("token.create", token.name);
      console.log(`created ingest token ${token.name}. Send it as "Authorization: Bearer <token>" to POST /api/ingest. It is shown only now:`);
      // Alone on the last line, so a script can take it with `tail -n 1`.
      console.log(secret);
      return 0;
    }
    case "list": {
      const tokens = await listTokens();
      if (values.json) console.log(JSON.stringify(tokens, null, 2));
      else for (const token of tokens) console.log(`${token.name.padEnd(30)} created ${token.createdAt} by ${token.createdBy}, last used ${token.lastUsedAt ?? "never"}`);
      return 0;
    }
    case "revoke": {
      const token = await revokeToken(requiredOption(values, "name"));
      await audit("token.revoke", token.name);
      console.log(`revoked ${token.name}`);
      return 0;
    }
    default:
      throw new UsageError(subcommand ? `unknown token command "${subcommand}"` : "token needs a command: create, list, revoke");
  }
}

/**
 * `npm run app` calls this before starting the server: when no account exists, it creates
 * `admin` with a random password and prints it, this once.
 */
export async function firstRun(): Promise<number> {
  if ((await countAccounts()) > 0) return 0;
  const password = randomBytes(18).toString("base64url");
  await createAccount({ username: "admin", role: "admin", password });
  await audit("user.create", "admin", { role: "admin", firstRun: true });
  const rule = "=".repeat(72);
  console.log(
    [
      rule,
      "Cipherwatch first run: an admin account was created. Its password is shown only now.",
      "",
      "    username: admin",
      `    password: ${password}`,
      "",
      `Sign in at http://localhost:${process.env.PORT ?? 3000}/login, then add your team's accounts on the Accounts page.`,
      "Lost it? npm run cw -- user reset-password --username admin --password-stdin",
      rule,
    ].join("\n"),
  );
  return 0;
}

export const ACCOUNT_USAGE = `  user create --username NAME --role admin|analyst|viewer --password-stdin
  user list [--json] | user set-role --username NAME --role ROLE | user disable|enable --username NAME
  user reset-password --username NAME --password-stdin
                                         accounts (passwords are read from standard input)
  token create --name NAME               a new ingest token, printed alone on the last line
  token list [--json] | token revoke --name NAME
  first-run                              create "admin" with a random password if no account exists`;

