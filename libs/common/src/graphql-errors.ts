import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { DomainError, ERROR_CODES, type ErrorCode } from './errors';
import { errorAnswer } from './error-answer';

// Errors into GraphQL answers: GraphQL's own validation/coercion errors become
// BAD_USER_INPUT; everything a resolver threw goes through errorAnswer, the one mapping.
export function formatGraphqlError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const answerOf = () => {
      const answer = errorAnswer(logger, original, { transport: 'GraphQL operation', path: formatted.path });
      return { message: answer.message, path: formatted.path, extensions: { code: answer.code, ...(answer.fields ? { fields: answer.fields } : {}) } };
    };
    if (original instanceof DomainError) return answerOf();
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
    return answerOf();
  };
}

function truncate(message: string): string {
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}
