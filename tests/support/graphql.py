"""A small GraphQL-over-HTTP client for tests, and the operations most tests need."""

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
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

DOCUMENT_FIELDS = """
  id title filename contentType sizeBytes status progress pageCount chunkCount
  visibility version attempts createdAt uploadedBy { id } failureCode
  failure { code message retryable }
"""

# The selection of an UploadDocumentResult.
UPLOAD_RESULT = (
    """
    __typename
    ... on UploadDocumentSuccess { duplicate retried document {"""
    + DOCUMENT_FIELDS
    + """} }
    ... on IngestionDelayed { document {"""
    + DOCUMENT_FIELDS
    + """} }
    ... on Error { message code }
    ... on ValidationError { field }
"""
)

UPLOAD = (
    "mutation Upload($input: UploadDocumentInput!) { uploadDocument(input: $input) {"
    + UPLOAD_RESULT
    + "} }"
)

UPLOAD_MANY = (
    """
mutation UploadMany($input: UploadDocumentsInput!) {
  uploadDocuments(input: $input) {
    __typename
    ... on UploadDocumentsSuccess { results {"""
    + UPLOAD_RESULT
    + """} }
    ... on Error { message code }
    ... on ValidationError { field }
  }
}"""
)

DOCUMENT = "query($id: ID!) { document(id: $id) {" + DOCUMENT_FIELDS + "} }"

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    """A signed-in user as the tests see them."""

    id: str
    email: str
    organization_id: str
    access_token: str
    refresh_token: str


def _member(response: httpx.Response, field: str) -> dict[str, Any]:
    """The union member a mutation answered, from a 200 without errors."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"][field]  # type: ignore[no-any-return]


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

    async def post_multipart(
        self,
        account: "Account",
        query: str,
        variables: dict[str, Any],
        files: dict[str, tuple[str, bytes]],
    ) -> httpx.Response:
        """A raw GraphQL multipart request: `files` maps each variable's path (such as
        `variables.input.file`) to the name and bytes of the file sent for it."""
        operations = {"query": query, "variables": variables}
        return await self.http.post(
            "/graphql",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({str(n): [path] for n, path in enumerate(files)}),
            },
            files=[
                (str(n), (name, data, "application/octet-stream"))
                for n, (name, data) in enumerate(files.values())
            ],
            headers={
                "authorization": f"Bearer {account.access_token}",
                "apollo-require-preflight": "true",
            },
        )

    async def upload(
        self,
        account: "Account",
        path: Path,
        visibility: str = "ORGANIZATION",
        filename: str | None = None,
        title: str | None = None,
    ) -> dict[str, Any]:
        """uploadDocument as a GraphQL multipart request; returns the result union member."""
        response = await self.post_multipart(
            account,
            UPLOAD,
            {"input": {"file": None, "visibility": visibility, "title": title}},
            {"variables.input.file": (filename or path.name, path.read_bytes())},
        )
        return _member(response, "uploadDocument")

    async def upload_many(
        self, account: "Account", files: list[tuple[str, bytes]], visibility: str | None = None
    ) -> dict[str, Any]:
        """uploadDocuments with `files` (name, bytes) as one multipart request; returns the
        result union member."""
        return _member(await self.post_files(account, files, visibility), "uploadDocuments")

    async def post_files(
        self, account: "Account", files: list[tuple[str, bytes]], visibility: str | None = None
    ) -> httpx.Response:
        """The raw uploadDocuments multipart request."""
        return await self.post_multipart(
            account,
            UPLOAD_MANY,
            {"input": {"files": [None] * len(files), "visibility": visibility}},
            {f"variables.input.files.{n}": file for n, file in enumerate(files)},
        )

    async def wait_until_final(
        self, account: "Account", document_id: str, seconds: float = 120
    ) -> dict[str, Any]:
        """Poll `document(id)` until READY or FAILED."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            body = await self.execute(DOCUMENT, {"id": document_id}, token=account.access_token)
            document = body["data"]["document"]
            if document is None or document["status"] in ("READY", "FAILED"):
                return document  # type: ignore[no-any-return]
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"document still {document['status']} after {seconds} s")
            await asyncio.sleep(0.2)

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
