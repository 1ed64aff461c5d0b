import { graphql } from "../graphql";

export const CitationFields = graphql(`
  fragment CitationFields on Citation @_unmask {
    number
    snippet
    page
    document {
      id
      title
      contentType
    }
  }
`);

export const MessageFields = graphql(
  `
    fragment MessageFields on Message @_unmask {
      id
      role
      text
      createdAt
      generator
      fallbackReason
      rating
      ratingComment
      citations {
        ...CitationFields
      }
    }
  `,
  [CitationFields],
);

export const ConversationsQuery = graphql(`
  query Conversations($after: String) {
    conversations(first: 20, after: $after) {
      nodes {
        id
        title
        createdAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ConversationQuery = graphql(
  `
    query Conversation($id: ID!) {
      conversation(id: $id) {
        id
        title
        messages {
          ...MessageFields
        }
      }
    }
  `,
  [MessageFields],
);

/** A few READY documents whose titles make example questions for an empty chat. */
export const ExampleDocumentsQuery = graphql(`
  query ExampleDocuments {
    documents(first: 3, status: READY) {
      nodes {
        id
        title
      }
    }
  }
`);

export const AnswerSubscription = graphql(
  `
    subscription Answer($question: String!, $conversationId: ID) {
      answer(input: { question: $question, conversationId: $conversationId }) {
        __typename
        ... on AnswerDelta {
          text
          conversationId
        }
        ... on AnswerCitations {
          citations {
            ...CitationFields
          }
        }
        ... on AnswerDone {
          reply {
            ...MessageFields
          }
          conversation {
            id
            title
            createdAt
          }
        }
        ... on AnswerError {
          code
          message
        }
      }
    }
  `,
  [CitationFields, MessageFields],
);

export const RateAnswerMutation = graphql(`
  mutation RateAnswer($messageId: ID!, $rating: Rating, $comment: String) {
    rateAnswer(input: { messageId: $messageId, rating: $rating, comment: $comment }) {
      __typename
      ... on RateAnswerSuccess {
        rating
        comment
      }
      ... on RatingCleared {
        messageId
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const RenameConversationMutation = graphql(`
  mutation RenameConversation($id: ID!, $title: String!) {
    renameConversation(input: { id: $id, title: $title }) {
      __typename
      ... on Conversation {
        id
        title
      }
      ... on Error {
        message
        code
      }
    }
  }
`);
