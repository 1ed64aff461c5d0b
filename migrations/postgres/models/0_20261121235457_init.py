from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "organization" (
    "id" UUID NOT NULL PRIMARY KEY,
    "name" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE "organization" IS 'A tenant: every user and document belongs to exactly one.';
CREATE TABLE IF NOT EXISTS "user" (
    "id" UUID NOT NULL PRIMARY KEY,
    "email" VARCHAR(254) NOT NULL UNIQUE,
    "role" VARCHAR(16) NOT NULL,
    "password_hash" VARCHAR(100) NOT NULL,
    "is_active" BOOL NOT NULL,
    "token_version" INT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "organization_id" UUID NOT NULL REFERENCES "organization" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_user_created_b19d59" ON "user" ("created_at");
COMMENT ON COLUMN "user"."role" IS 'ADMIN: ADMIN\nUSER: USER';
COMMENT ON TABLE "user" IS 'A person who signs in; `token_version` bumps revoke every access token issued before.';
CREATE TABLE IF NOT EXISTS "refresh_token" (
    "id" UUID NOT NULL PRIMARY KEY,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "family" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "used_at" TIMESTAMPTZ,
    "revoked_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "user_id" UUID NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_refresh_tok_family_00f3ac" ON "refresh_token" ("family");
COMMENT ON TABLE "refresh_token" IS 'One refresh token, stored as a hash; rotation keeps the chain in one `family`.';
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztWv9v4jYU/1es/NRJXVU44E69aRK0VMfuClNL76bbptQkBqwmNhc7bVnH/75nJyHfKb"
    "TAWoRUFXhfbOfznv2+OI+Gy23iiKOeN8KM/oMl5cw4QY8Gwy6BL4X8Q2TgySTmKoLEA0cr"
    "8KzkQEgPWxJ4Q+wIAiSbCMujk3Auo4kkYZjJE0TuiDdFviAewsxGNrd8lzCJBsThbCSQ5I"
    "g8wFjOFHFGjtTwIAPjUzZ68Ug+oz98Yko+InJMPBjvz7+BTJlNHoiIfk5uzSEljp0Cidpq"
    "AE035XSiadfXnbNzLalWOTAt7vgui6UnUznmbC7u+9Q+UjqKNyKMeFgSOwEa8x0nxDgiBS"
    "sGgvR8Ml+qHRNsMsS+o6A3fhn6zFKIIz2T+lf7NVxaQsw0u72+edXum6aRs5RaQgbykGRx"
    "pqxMmVRAPc6CcWNANNVQE5x+al4evGv8pCHgQo48zdRwGTOtiCUOVDXoMcr6M4fz6Rh7xT"
    "hH8hmkYaHPwTgixCDH7hzBFwG0AUgNFz+YDmEjOYaf1ePjBRh/bV5qmEFK48xh/wWbsxuy"
    "qgFP4R3ja3lE4WFimUf5DDiSuqQY6bRmBm87VD2KvrxF9OEB7R5zpuHeWgB+v3PRvuo3L3"
    "5X07lC/HA0fs1+W3GqmjrNUA8aGTvNB0HfOv1PSP1E33vddnbXzOX63w21JuxLbjJ+b2I7"
    "cQxE1Ai1mTrIhreJTaYIA2zd3mPPNlOc2D3UYSryntEK1c4/XxJnfupnfCCMItcwxBu0/i"
    "zy94gaeYGCjVd5GZB5llt1sxTM8Eg/kppbzRRidUmGYORxn9+Swoic4i+MyF4gCZEtEn0y"
    "JPcYQaEa0mqHSEjuERthgTAaYzH+iDwutb3RLSETCKljgqwxwIPgD4IquhlilzrTm3ycXv"
    "/w++D9yoO3NrOpLLtKCE9rrSeQP4331sJ4o7ZEFG/USoO4YqVjeLAnVnHoWGOdTp0/sbeJ"
    "8ktcOMaSPEwocJ+RD6U1dzAfeiP5T4RJLgFKmhnymufkvAm1NRg43B17+67fvh65gyjyHB"
    "OnNfdWfs1W3hev5TnHbhWvmbPbM1dL4BMqm014XstWfiLjyfUC0ujmoT2HQo2O2Gcy1QB3"
    "YB2YWUWdtt2s+oHs4ft5IZl0KHh2eGIig6qmeXXaPGsbs/Lmyib7Bxr1gr5BZI3yfkFk9m"
    "U69xPiCShL78ccCXAKAcX5R3QTlG13wAPBGzTwXSjgg2gaduaxZREhguIfUSF8qP0HZAiu"
    "VdTV39As+6bBKzh/Dhc0DYiLqbNKv2CusHOtgmp9mV4BSJV3/Ou5boHHnZIblTbz3dzxnk"
    "6OQ93t3a4Y11ftyxUd2GieXXS6J0h//MXUCCdoPs6KNqg0ljBBJZsOxRZQrLQBJliIew5H"
    "/aqNsZziDl5yVZa65KosuOSq5C+5qDAhpNG7Ar9vcXBpzEqO8KReBuwBKG4K7ejE2e6Z3e"
    "r1vqRKgFannwH5+qLVBvQ19iBEg6Sn0+1nAE9F6TzoHSYXtX4TehnQVUK2IcyPN+XeI7WC"
    "n6uV2vvah3eN2gcQ0aucU94vsEke2rdV8241du5uyZt8v2bF0rdAdV8CLy6Bs28zvbAUzr"
    "5G9TYhfrIkLnC0VUvjZP82cX39whcQspfmO4L/Rl9EaBKPWmOjoJUQcg4XNRNwLPNUO6Ec"
    "hjUX6qU5R+GZWJBohD7/ekvHtSQa5XV5aTZXXrCUJ3K7UKpU6/WlqvP6guq8ni1V1KZaAe"
    "FQfAfR3UghCDNKwgoy59+uet2SrDlWyabM1JLoX+RQsbGi5P/JnBQYqcQ4wvTgovlHFu7T"
    "L71WNsVSA7SKcqxtdsVn/wEswx6o"
)
