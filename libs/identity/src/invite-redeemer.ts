import type { Tx } from '@parley/database';

// The port through which signUp redeems an invitation in its own transaction; the rooms
// capability provides it, so identity does not depend on rooms.
export interface InviteRedeemer {
  redeem(tx: Tx, token: string, user: { id: string; email: string; displayName: string }): Promise<unknown>;
}

export const INVITE_REDEEMER = Symbol('INVITE_REDEEMER');
