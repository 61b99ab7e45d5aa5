import type { Metadata } from "next";
import { headers } from "next/headers";
import { AppNav } from "@/components/layout/app-nav";
import { SignOutButton } from "@/components/layout/sign-out-button";
import { ThemeToggle } from "@/components/layout/theme-toggle";
import { currentAccount } from "@/lib/server/page-session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Cipherwatch", template: "%s · Cipherwatch" },
  description: "Hunt symmetric-crypto command-and-control (MITRE ATT&CK T1573.001) in endpoint telemetry.",
};

// Applies the saved theme, or else the system's, before first paint, so dark mode does not flash white.
const THEME_BOOTSTRAP = `try{var t=localStorage.getItem("cw-theme");if(t!=="dark"&&t!=="light")t=matchMedia("(prefers-color-scheme: dark)").matches?"dark":"light";document.documentElement.dataset.theme=t}catch(e){}`;

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const requestHeaders = await headers();
  // The page's CSP nonce (proxy.ts): the only inline script of ours must carry it to run.
  const nonce = requestHeaders.get("x-nonce") ?? undefined;
  // Signed out, only the sign-in page renders (every other page redirects there): no nav to show.
  const account = await currentAccount();
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_BOOTSTRAP }} />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <div className="shell">
          <header className="sidebar">
            <div className="brand">
              <span className="brand-mark" aria-hidden="true">
                ◆
              </span>
              <span>Cipherwatch</span>
            </div>
            <p className="brand-sub">T1573.001 hunting</p>
            {account && <AppNav role={account.role} />}
            <div className="sidebar-footer">
              {account && (
                <div className="signed-in">
                  <p className="signed-in-name">
                    {account.username} <span className="muted">· {account.role}</span>
                  </p>
                  <SignOutButton />
                </div>
              )}
              <ThemeToggle />
            </div>
          </header>
          <main id="main" className="content">
            {children}
          </main>
        </div>
      </body>
    </html>
  );
}
