import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { safeNextPath } from "@/lib/http/safe-next-path";
import { currentAccount } from "@/lib/server/page-session";

export const metadata: Metadata = { title: "Sign in" };

/** The one page open to anonymous visitors: it must not call requirePageAccount, which sends them here. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { next } = await searchParams;
  const nextPath = typeof next === "string" ? next : undefined;
  if (await currentAccount()) redirect(safeNextPath(nextPath));
  return (
    <section className="card auth-card" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">Sign in</h1>
      <SignInForm next={nextPath} />
      <p className="muted" style={{ marginBottom: 0 }}>
        Accounts are created by an admin. The first admin&apos;s password is printed in the terminal by <code>npm run app</code>.
      </p>
    </section>
  );
}
