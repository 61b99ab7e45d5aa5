import type { Metadata } from "next";
import { AccountsTable } from "@/components/admin/accounts-table";
import { CreateAccountForm } from "@/components/admin/create-account-form";
import { CreateTokenForm } from "@/components/admin/create-token-form";
import { TokensTable } from "@/components/admin/tokens-table";
import { AdminsOnlyNotice } from "@/components/auth/admins-only-notice";
import { accountCan } from "@/lib/auth/roles";
import { listAccounts, listTokens } from "@/lib/server/accounts";
import { MIN_PASSWORD_LENGTH } from "@/lib/server/auth";
import { requirePageAccount } from "@/lib/server/page-session";

export const metadata: Metadata = { title: "Accounts" };

export default async function AdminPage() {
  const account = await requirePageAccount();
  if (!accountCan(account, "administer")) return <AdminsOnlyNotice title="Accounts" message="Only admins can manage accounts." />;
  const [accounts, tokens] = await Promise.all([listAccounts(), listTokens()]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Accounts</h1>
          <p>
            Viewers read findings, events and datasets. Analysts also upload telemetry and change the allowlists. Admins also change the
            detection settings and the as-of time, delete datasets, manage accounts and tokens, and read the audit log. Disabling an account or
            resetting its password ends its sessions at once.
          </p>
        </div>
      </div>
      <section aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">User accounts</h2>
        <AccountsTable accounts={accounts} currentUsername={account.username} minPasswordLength={MIN_PASSWORD_LENGTH} />
        <CreateAccountForm minPasswordLength={MIN_PASSWORD_LENGTH} />
      </section>
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Ingest tokens</h2>
        <TokensTable tokens={tokens} />
        <CreateTokenForm />
      </section>
    </>
  );
}
