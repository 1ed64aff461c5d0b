"""A small GraphQL-over-HTTP client for tests, and the operations most tests need."""

from dataclasses import dataclass
from typing import Any

import httpx

SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    __typename
    ... on AuthPayload { accessToken refreshToken user { id email role organization { id name } } }
    ... on Error { message code }
    ... on ValidationError { field }
  }
}"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on AuthPayload { accessToken refreshToken user { id email } }
    ... on Error { message code }
    ... on TooManyAttempts { retryAfterSeconds }
  }
}"""

CREATE_USER = """
mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) {
    __typename
    ... on User { id email role }
    ... on Error { message code }
  }
}"""

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    """A signed-in user as the tests see them."""

    id: str
    email: str
    organization_id: str
    access_token: str
    refresh_token: str


class GraphQLClient:
    """POSTs GraphQL documents and returns the decoded JSON body."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The JSON body; asserts only that the server answered 200."""
        response = await self.post({"query": query, "variables": variables or {}}, token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def post(self, body: Any, token: str | None = None, **headers: str) -> httpx.Response:
        """A raw POST to /graphql."""
        all_headers = {key.replace("_", "-"): value for key, value in headers.items()}
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        return await self.http.post("/graphql", json=body, headers=all_headers)

    async def sign_up(self, email: str = "ada@example.com", organization: str = "Acme") -> Account:
        """A new organisation with `email` as its ADMIN."""
        body = await self.execute(
            SIGN_UP,
            {"input": {"organizationName": organization, "email": email, "password": PASSWORD}},
        )
        payload = body["data"]["signUp"]
        assert payload["__typename"] == "AuthPayload", payload
        return Account(
            id=payload["user"]["id"],
            email=payload["user"]["email"],
            organization_id=payload["user"]["organization"]["id"],
            access_token=payload["accessToken"],
            refresh_token=payload["refreshToken"],
        )

    async def create_user(self, admin: Account, email: str, role: str = "USER") -> Account:
        """A user in the admin's organisation, signed in."""
        body = await self.execute(
            CREATE_USER,
            {"input": {"email": email, "password": PASSWORD, "role": role}},
            token=admin.access_token,
        )
        assert body["data"]["createUser"]["__typename"] == "User", body
        return await self.login(email)

    async def login(self, email: str, password: str = PASSWORD) -> Account:
        """Sign in an existing user."""
        body = await self.execute(LOGIN, {"input": {"email": email, "password": password}})
        payload = body["data"]["login"]
        assert payload["__typename"] == "AuthPayload", payload
        me = await self.execute("{ me { organization { id } } }", token=payload["accessToken"])
        return Account(
            id=payload["user"]["id"],
            email=payload["user"]["email"],
            organization_id=me["data"]["me"]["organization"]["id"],
            access_token=payload["accessToken"],
            refresh_token=payload["refreshToken"],
        )
