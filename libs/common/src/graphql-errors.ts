import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { databaseUnavailableMessage, DomainError, ERROR_CODES, type ErrorCode } from './errors';

// The one place that turns errors into GraphQL answers. Domain errors keep their code and
// message; GraphQL's own validation/coercion errors become BAD_USER_INPUT; anything else is
// logged and masked.
export function formatGraphqlError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        path: formatted.path,
        extensions: { code: original.code, ...(original.fields ? { fields: original.fields } : {}) },
      };
    }
    const code = formatted.extensions?.code as string | undefined;
    if (code && (ERROR_CODES as readonly string[]).includes(code) && original instanceof GraphQLError) {
      return { message: truncate(formatted.message), path: formatted.path, extensions: { code } };
    }
    // graphql-js's own request errors (e.g. "Too many errors processing variables") carry no
    // code: they come from the request itself, not from a resolver
    const requestError = original instanceof GraphQLError && !original.originalError && !formatted.path;
    if (
      requestError ||
      code === 'GRAPHQL_VALIDATION_FAILED' ||
      code === 'GRAPHQL_PARSE_FAILED' ||
      code === 'BAD_USER_INPUT' ||
      code === 'BAD_REQUEST' ||
      code === 'PERSISTED_QUERY_NOT_SUPPORTED' ||
      code === 'PERSISTED_QUERY_NOT_FOUND' ||
      code === 'OPERATION_RESOLUTION_FAILURE'
    ) {
      return {
        message: truncate(formatted.message),
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode },
      };
    }
    const unavailable = databaseUnavailableMessage(original);
    if (unavailable) {
      logger.warn({ err: original, path: formatted.path }, 'database failure in a GraphQL operation');
      return { message: unavailable, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function truncate(message: string): string {
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}
