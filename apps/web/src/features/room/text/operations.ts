import { graphql } from '../../../gql';

// The negotiating text's operations (typed by codegen from apps/api/schema.gql).

export const ProposalTextQuery = graphql(`
  query ProposalText($id: ID!) {
    proposal(id: $id) {
      id
      title
      status
      version
      textHash
      openBrackets
      clauses {
        key
        heading
        text
        alternatives {
          id
          text
          party {
            id
            name
          }
        }
      }
      versions {
        number
        summary
        createdAt
      }
      amendments {
        id
        baseVersion
        clauseKey
        kind
        text
        rationale
        status
        party {
          id
          name
        }
        createdAt
      }
      agreement {
        id
      }
    }
  }
`);

export const ProposalDiffQuery = graphql(`
  query ProposalDiff($id: ID!, $from: Int!, $to: Int!) {
    proposal(id: $id) {
      id
      diff(from: $from, to: $to) {
        key
        change
        before
        after
        hunks {
          op
          text
        }
      }
    }
  }
`);

export const CreateProposalMutation = graphql(`
  mutation CreateProposal($input: CreateProposalInput!) {
    createProposal(input: $input) {
      id
      version
    }
  }
`);

export const ReviseProposalMutation = graphql(`
  mutation ReviseProposal($input: ReviseProposalInput!) {
    reviseProposal(input: $input) {
      id
      version
    }
  }
`);

export const WithdrawProposalMutation = graphql(`
  mutation WithdrawProposal($proposalId: ID!) {
    withdrawProposal(proposalId: $proposalId) {
      id
      status
    }
  }
`);

export const AddAlternativeMutation = graphql(`
  mutation AddAlternative($proposalId: ID!, $clauseKey: String!, $text: String!, $expectedVersion: Int!) {
    addAlternative(proposalId: $proposalId, clauseKey: $clauseKey, text: $text, expectedVersion: $expectedVersion) {
      id
      version
    }
  }
`);

export const ResolveBracketMutation = graphql(`
  mutation ResolveBracket($proposalId: ID!, $clauseKey: String!, $alternativeId: ID!, $expectedVersion: Int!) {
    resolveBracket(proposalId: $proposalId, clauseKey: $clauseKey, alternativeId: $alternativeId, expectedVersion: $expectedVersion) {
      id
      version
    }
  }
`);

export const ProposeAmendmentMutation = graphql(`
  mutation ProposeAmendment($input: ProposeAmendmentInput!) {
    proposeAmendment(input: $input) {
      id
      status
    }
  }
`);

export const WithdrawAmendmentMutation = graphql(`
  mutation WithdrawAmendment($id: ID!) {
    withdrawAmendment(id: $id) {
      id
      status
    }
  }
`);

export const AcceptAmendmentMutation = graphql(`
  mutation AcceptAmendment($id: ID!, $expectedVersion: Int!) {
    acceptAmendment(id: $id, expectedVersion: $expectedVersion) {
      id
      version
    }
  }
`);

export const RejectAmendmentMutation = graphql(`
  mutation RejectAmendment($id: ID!) {
    rejectAmendment(id: $id) {
      id
      status
    }
  }
`);
