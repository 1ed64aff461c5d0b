import { graphql } from "../graphql";

// Users

export const UsersQuery = graphql(`
  query AdminUsers($first: Int, $after: String) {
    users(first: $first, after: $after) {
      nodes {
        id
        email
        role
        isActive
        lastLoginAt
        createdAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const CreateUserMutation = graphql(`
  mutation AdminCreateUser($email: String!, $password: String!, $role: Role!) {
    createUser(input: { email: $email, password: $password, role: $role }) {
      __typename
      ... on User {
        id
        email
        role
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const UpdateUserMutation = graphql(`
  mutation AdminUpdateUser($id: ID!, $role: Role!) {
    updateUser(input: { id: $id, role: $role }) {
      __typename
      ... on User {
        id
        email
        role
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const DeactivateUserMutation = graphql(`
  mutation AdminDeactivateUser($id: ID!) {
    deactivateUser(id: $id) {
      __typename
      ... on User {
        id
        email
        isActive
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

export const ReactivateUserMutation = graphql(`
  mutation AdminReactivateUser($id: ID!) {
    reactivateUser(id: $id) {
      __typename
      ... on User {
        id
        email
        isActive
      }
      ... on Error {
        message
        code
      }
    }
  }
`);

// Usage

export const UsageQuery = graphql(`
  query AdminUsage($since: DateTime) {
    usage(since: $since) {
      since
      questions
      promptTokens
      completionTokens
      users {
        questions
        promptTokens
        completionTokens
        user {
          id
          email
        }
      }
    }
  }
`);

// Feedback

export const FeedbackQuery = graphql(`
  query AdminFeedback($first: Int, $after: String, $rating: Rating) {
    feedback(first: $first, after: $after, rating: $rating) {
      nodes {
        id
        rating
        comment
        question
        createdAt
        user {
          id
          email
        }
        reply {
          id
          text
          generator
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

// Audit log

export const AuditLogQuery = graphql(`
  query AdminAuditLog($first: Int, $after: String, $action: String, $actorId: ID, $since: DateTime) {
    auditLog(first: $first, after: $after, action: $action, actorId: $actorId, since: $since) {
      nodes {
        id
        action
        targetType
        targetId
        ipAddress
        requestId
        details
        createdAt
        actor {
          id
          email
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** The people an audit filter can name (an organisation's first hundred users). */
export const AuditActorsQuery = graphql(`
  query AdminAuditActors {
    users(first: 100) {
      nodes {
        id
        email
      }
    }
  }
`);

// Index health

export const IndexHealthQuery = graphql(`
  query AdminIndexHealth {
    indexHealth {
      vectorStore
      embeddingModel
      dimensions
      documentsByStatus {
        status
        count
      }
      chunkCount
      vectorCount
      stuckDocuments
    }
  }
`);

// Settings

export const SettingsQuery = graphql(`
  query AdminSettings {
    organization {
      id
      name
      settings {
        systemPrompt
        promptVersion
        answerSources
        defaultVisibility
      }
    }
  }
`);

export const UpdateSettingsMutation = graphql(`
  mutation AdminUpdateSettings($systemPrompt: String, $answerSources: Int, $defaultVisibility: Visibility) {
    updateOrganizationSettings(
      input: {
        systemPrompt: $systemPrompt
        answerSources: $answerSources
        defaultVisibility: $defaultVisibility
      }
    ) {
      __typename
      ... on Organization {
        id
        settings {
          systemPrompt
          promptVersion
          answerSources
          defaultVisibility
        }
      }
      ... on ValidationError {
        message
        code
        field
      }
    }
  }
`);

// Company sign-in (OIDC)

/** What an admin sees of the organisation's sign-in; the client secret itself never comes back. */
export const SignInSettingsFields = graphql(`
  fragment SignInSettingsFields on SignInSettings {
    passwordSignIn
    oidc {
      name
      issuer
      clientId
      clientSecretSet
      clientSecretEnv
      allowedDomains
      groupsClaim
      adminGroups
      verifiedAt
      updatedAt
    }
  }
`);

export const SignInSettingsQuery = graphql(
  `
    query AdminSignInSettings {
      signInSettings {
        ...SignInSettingsFields
      }
    }
  `,
  [SignInSettingsFields],
);

export const ConfigureOidcMutation = graphql(
  `
    mutation AdminConfigureOidc($input: ConfigureOidcInput!) {
      configureOidc(input: $input) {
        __typename
        ... on SignInSettings {
          ...SignInSettingsFields
        }
        ... on ValidationError {
          field
        }
        ... on DomainTaken {
          field
        }
        ... on Error {
          message
          code
        }
      }
    }
  `,
  [SignInSettingsFields],
);

export const RemoveOidcMutation = graphql(
  `
    mutation AdminRemoveOidc {
      removeOidc {
        __typename
        ... on SignInSettings {
          ...SignInSettingsFields
        }
      }
    }
  `,
  [SignInSettingsFields],
);

export const SetPasswordSignInMutation = graphql(
  `
    mutation AdminSetPasswordSignIn($enabled: Boolean!) {
      setPasswordSignIn(enabled: $enabled) {
        __typename
        ... on SignInSettings {
          ...SignInSettingsFields
        }
        ... on Error {
          message
          code
        }
      }
    }
  `,
  [SignInSettingsFields],
);
