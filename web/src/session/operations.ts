import { graphql } from "../graphql";

// The web app asks for the refresh token as an httpOnly cookie (refreshTokenInCookie): its
// scripts never see it, and the body carries only the short-lived access token.

export const SessionFields = graphql(`
  fragment SessionFields on AuthPayload {
    accessToken
    accessTokenExpiresAt
    user {
      id
      email
      role
      organization {
        id
        name
      }
    }
  }
`);

export const LoginMutation = graphql(
  `
    mutation Login($email: String!, $password: String!) {
      login(input: { email: $email, password: $password, refreshTokenInCookie: true }) {
        __typename
        ... on AuthPayload {
          ...SessionFields
        }
        ... on Error {
          message
          code
        }
        ... on TooManyAttempts {
          retryAfterSeconds
        }
      }
    }
  `,
  [SessionFields],
);

export const SignUpMutation = graphql(
  `
    mutation SignUp($organizationName: String!, $email: String!, $password: String!) {
      signUp(
        input: {
          organizationName: $organizationName
          email: $email
          password: $password
          refreshTokenInCookie: true
        }
      ) {
        __typename
        ... on AuthPayload {
          ...SessionFields
        }
        ... on Error {
          message
          code
        }
        ... on TooManyAttempts {
          retryAfterSeconds
        }
      }
    }
  `,
  [SessionFields],
);

export const RefreshMutation = graphql(
  `
    mutation Refresh {
      refreshToken(input: { refreshTokenInCookie: true }) {
        __typename
        ... on AuthPayload {
          ...SessionFields
        }
        ... on Error {
          message
          code
        }
      }
    }
  `,
  [SessionFields],
);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout {
      __typename
    }
  }
`);

export const SignUpEnabledQuery = graphql(`
  query SignUpEnabled {
    signUpEnabled
  }
`);

/** How a person with this email signs in (public; answered from the email's domain only). */
export const SignInMethodsQuery = graphql(`
  query SignInMethods($email: String!) {
    signInMethods(email: $email) {
      password
      provider {
        name
        startUrl
      }
    }
  }
`);
