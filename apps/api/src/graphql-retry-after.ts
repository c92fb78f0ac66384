import type { ApolloDriverConfig } from '@nestjs/apollo';
import { DomainError } from '@parley/domain';

type Plugin = NonNullable<ApolloDriverConfig['plugins']>[number];

// An answer refused by a limit that knows when it lets the caller in again (a RATE_LIMITED
// DomainError with retryAfterSeconds: the per-address and per-account sign-in limits, a busy
// argon2, downloads, invitations) carries `Retry-After`, as the sign-in gate's refusals do;
// with several, the longest.
export function retryAfterHeader(): Plugin {
  return {
    async requestDidStart() {
      let seconds = 0;
      return {
        async didEncounterErrors({ errors }) {
          for (const e of errors) {
            const original = e.originalError;
            if (original instanceof DomainError && original.code === 'RATE_LIMITED' && original.retryAfterSeconds) {
              seconds = Math.max(seconds, original.retryAfterSeconds);
            }
          }
        },
        async willSendResponse({ response }) {
          if (seconds > 0) response.http.headers.set('retry-after', String(seconds));
        },
      };
    },
  };
}
