"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { Role } from "@/lib/auth/roles";

const LINKS = [
  { href: "/", label: "Overview" },
  { href: "/findings", label: "Findings" },
  { href: "/upload", label: "Upload" },
  { href: "/datasets", label: "Datasets" },
  { href: "/allowlists", label: "Tuning" },
];

/** Pages only admins may open: the others are not shown a link they would be refused. */
const ADMIN_LINKS = [
  { href: "/admin", label: "Accounts" },
  { href: "/audit", label: "Audit log" },
];

export function AppNav({ role }: { role: Role }) {
  const pathname = usePathname();
  const links = role === "admin" ? [...LINKS, ...ADMIN_LINKS] : LINKS;
  return (
    <nav aria-label="Main">
      <ul className="nav-list">
        {links.map((link) => {
          const current = pathname === link.href || pathname.startsWith(`${link.href}/`);
          return (
            <li key={link.href}>
              <Link href={link.href} className="nav-link" aria-current={current ? "page" : undefined}>
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
