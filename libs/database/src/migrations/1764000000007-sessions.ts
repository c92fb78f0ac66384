import type { MigrationInterface, QueryRunner } from 'typeorm';

// Idle session timeout (last use of a session) and proven email addresses (an account whose
// address was shown to be its holder's: created through an invitation bound to it, or by the
// operator's `parley user:create`).
export class Sessions1764000000007 implements MigrationInterface {
  name = 'Sessions1764000000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE user_session ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`ALTER TABLE app_user ADD COLUMN email_verified_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP COLUMN email_verified_at`);
    await q.query(`ALTER TABLE user_session DROP COLUMN last_used_at`);
  }
}
