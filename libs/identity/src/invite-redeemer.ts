import type { Tx } from '@parley/database';

// The port through which signUp checks and redeems an invitation in its own transaction; the
// rooms capability provides it and the app registers it (apps/api/src/invite-redemption.ts),
// so identity does not depend on rooms.
export interface InviteRedeemer {
  // INVITE_INVALID unless the token is usable by `email` now; tells whether the invitation
  // is bound to that address (holding its token then proves the mailbox)
  check(token: string, email: string): Promise<{ boundToEmail: boolean }>;
  redeem(tx: Tx, token: string, user: { id: string; email: string; displayName: string; emailVerified: boolean }): Promise<unknown>;
}
