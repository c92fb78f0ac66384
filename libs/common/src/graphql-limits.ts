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
