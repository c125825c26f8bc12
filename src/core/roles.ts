// Who may do what. One guard serves commands, buttons and modal submissions alike.
import type { Role } from "../generated/prisma/enums.ts";

export type { Role };
export const ROLES = ["staff", "trainer", "manager", "admin"] as const satisfies readonly Role[];

/** Admins may do everything trainers and managers may. */
export const PERMISSIONS = {
  "roles.manage": ["admin"],
  "training.manage": ["trainer", "admin"],
  "followups.manage": ["trainer", "manager", "admin"],
  "kpi.view": ["manager", "admin"],
  "faq.manage": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
