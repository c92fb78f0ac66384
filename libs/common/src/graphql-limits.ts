import { GraphQLError, Kind, type ASTNode, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxFields: number; // a cost bound: field selections after fragment expansion
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 30, maxFields: 600 };

// A validation rule bounding depth, aliases and size of every operation, with fragments
// expanded (and fragment cycles cut), so a small document cannot ask for a huge answer.
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    return {
      OperationDefinition(node) {
        let fields = 0;
        let aliases = 0;
        let maxDepth = 0;
        const walk = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>) => {
          if (!set) return;
          for (const sel of set.selections) {
            if (fields > limits.maxFields) return;
            if (sel.kind === Kind.FIELD) {
              fields += 1;
              if (sel.alias) aliases += 1;
              if (sel.selectionSet) {
                maxDepth = Math.max(maxDepth, depth + 1);
                walk(sel.selectionSet, depth + 1, seen);
              }
            } else if (sel.kind === Kind.INLINE_FRAGMENT) {
              walk(sel.selectionSet, depth, seen);
            } else {
              const name = sel.name.value;
              if (seen.has(name)) continue;
              const frag = fragments.get(name);
              if (frag) walk(frag.selectionSet, depth, new Set([...seen, name]));
            }
          }
        };
        walk(node.selectionSet, 0, new Set());
        const fail = (message: string, at: ASTNode) => context.reportError(new GraphQLError(message, { nodes: [at], extensions: { code: 'BAD_USER_INPUT' } }));
        if (maxDepth > limits.maxDepth) fail(`The query is nested ${maxDepth} levels deep; at most ${limits.maxDepth} are allowed.`, node);
        if (aliases > limits.maxAliases) fail(`The query uses ${aliases} aliases; at most ${limits.maxAliases} are allowed.`, node);
        if (fields > limits.maxFields) fail(`The query selects more than ${limits.maxFields} fields.`, node);
      },
    };
  };
}

// How deeply a document's brackets nest ({ selections }, [ lists ], ( arguments ), input
// objects), outside strings and comments: graphql-js parses, validates and executes nesting by
// recursion, so thousands of levels (inline fragments, which add no depth above, or values)
// overflow the stack somewhere along the way, and where depends on what V8 has optimised: the
// same document answered ok, an internal error, or "Maximum call stack size exceeded" from run
// to run. Counted on the text before it is parsed (apps/api/src/graphql-nesting.ts refuses a
// deeper document with BAD_USER_INPUT); the scan stops once past `limit`.
export const MAX_NESTING = 256;

export function documentNesting(text: string, limit = Infinity): number {
  let depth = 0;
  let most = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b || c === 0x28) {
      // { [ (
      depth += 1;
      if (depth > most) {
        most = depth;
        if (most > limit) return most;
      }
    } else if (c === 0x7d || c === 0x5d || c === 0x29) {
      // } ] )
      if (depth > 0) depth -= 1;
    } else if (c === 0x23) {
      // # a comment, to the end of the line
      while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22) {
      // a block string """…""" (\""" escapes) or a string "…" (\ escapes, ends at the line)
      if (text.startsWith('"""', i)) {
        i += 3;
        while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i += 1;
        while (i < text.length && text.charCodeAt(i) !== 0x22 && text.charCodeAt(i) !== 0x0a) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      }
    }
  }
  return most;
}
