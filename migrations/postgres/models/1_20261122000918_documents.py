from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "document" (
    "id" UUID NOT NULL PRIMARY KEY,
    "title" VARCHAR(300) NOT NULL,
    "filename" VARCHAR(255) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "dedupe_scope" VARCHAR(64) NOT NULL,
    "visibility" VARCHAR(16) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL,
    "page_count" INT,
    "chunk_count" INT NOT NULL,
    "version" INT NOT NULL,
    "attempts" INT NOT NULL,
    "failure_code" VARCHAR(64),
    "failure_message" TEXT,
    "lease_expires_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "ready_at" TIMESTAMPTZ,
    "organization_id" UUID NOT NULL REFERENCES "organization" ("id") ON DELETE CASCADE,
    "uploaded_by_id" UUID NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_document_organiz_ea629b" UNIQUE ("organization_id", "sha256", "dedupe_scope")
);
CREATE INDEX IF NOT EXISTS "idx_document_lease_e_6cf1ef" ON "document" ("lease_expires_at");
CREATE INDEX IF NOT EXISTS "idx_document_created_b6cfaa" ON "document" ("created_at");
COMMENT ON COLUMN "document"."filename" IS 'The client''s name; metadata only.';
COMMENT ON COLUMN "document"."kind" IS 'PDF: pdf\nDOCX: docx\nPPTX: pptx\nXLSX: xlsx\nHTML: html\nMARKDOWN: markdown\nCSV: csv\nTEXT: text';
COMMENT ON COLUMN "document"."visibility" IS 'ORGANIZATION: ORGANIZATION\nPRIVATE: PRIVATE';
COMMENT ON COLUMN "document"."status" IS 'QUEUED: QUEUED\nPARSING: PARSING\nCHUNKING: CHUNKING\nEMBEDDING: EMBEDDING\nINDEXING: INDEXING\nREADY: READY\nFAILED: FAILED';
COMMENT ON TABLE "document" IS 'An uploaded file and its ingestion state.';
        CREATE TABLE IF NOT EXISTS "chunk" (
    "id" UUID NOT NULL PRIMARY KEY,
    "version" INT NOT NULL,
    "index" INT NOT NULL,
    "text" TEXT NOT NULL,
    "start" INT NOT NULL,
    "end" INT NOT NULL,
    "page_start" INT,
    "page_end" INT,
    "heading_path" JSONB NOT NULL,
    "token_count" INT NOT NULL,
    "document_id" UUID NOT NULL REFERENCES "document" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_chunk_documen_fe262c" UNIQUE ("document_id", "version", "index")
);
COMMENT ON TABLE "chunk" IS 'A retrievable piece of a document version; its id is derived, so retries never duplicate.';
        CREATE TABLE IF NOT EXISTS "document_text" (
    "id" UUID NOT NULL PRIMARY KEY,
    "version" INT NOT NULL,
    "text" TEXT NOT NULL,
    "document_id" UUID NOT NULL REFERENCES "document" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_document_te_documen_f6c1bf" UNIQUE ("document_id", "version")
);
COMMENT ON TABLE "document_text" IS 'The extracted text of one version: citations'' offsets point into it.';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "chunk";
        DROP TABLE IF EXISTS "document";
        DROP TABLE IF EXISTS "document_text";"""


MODELS_STATE = (
    "eJztXG1z2rgW/isavmx3JjeTkLcu3dkZEkjLNoEuId3cLjuusAVoYmSvJSdhe/Pf75Ff8D"
    "vBBIhhPNMUI+nI5jlH0nOOjvyjMjE0ovP9jjXCjP6LBTVYpYZ+VBieELhIrd9DFWyaQa0s"
    "EHigOwJGvOWACwurAuqGWOcEijTCVYua3r0qdSQIw0zUEHkg1hTZnFgIMw1phmpPCBNoQH"
    "SDjTgSBiJP0Jc+RQYj+7J7aAP9UzZ6dU82o//YRBHGiIgxsaC/v/6GYso08kS4/9W8V4aU"
    "6FoEJKrJDpxyRUxNp+z2ttW4dFrKpxwoqqHbExa0NqdibLBZc9um2r6UkXUjwoiFBdFCoD"
    "Fb1z2M/SL3iaFAWDaZPaoWFGhkiG1dQl/5dWgzVSKOnDvJ/45/8x4t1ExR2p2ectPsKUol"
    "oSn5CDHIvSLVYFLLlAkJ1I9nt98AEKe0Im9w8anefXd0+rMDgcHFyHIqHbgqz44gFtgVdU"
    "APUHY+EzhfjLGVjrPfPoY0POgyGPsFAciBOfvw+QCtAdLKBD8pOmEjMYav1YODORh/rXcd"
    "mKGVg7MB488dnG2vqurWSbwDfFWLSDwULJIoN6BG0AlJRzoqGcNb80T3/YttRB9+oNZh+t"
    "QbW3PA77Wumze9+vUXebsJ5//oDn71XlPWVJ3Saaz03WlMT7NO0J+t3ickv6JvnXYzPmpm"
    "7XrfKvKZsC0MhRmPCtZC04Bf6qP2LCey4X1okMmCAVbvH7GlKZGawDzkZMqTlnHuiV1+7h"
    "J9NuvHbMBbRW6hiy3U/rNv735pYAUBPP4S80qIGl43uwSTtC6jamTZW7JqUp3ESzDDI+cn"
    "yXvLO3l4dckQxsK4Z9yTVOISqZ9LXCy3JRAAv+mLzKXDCPLEkCO2h7gwLKIhzBFGY8zHH5"
    "BlCEfn6J4QE5jHmCB1DPAg+AfcA30f4gnVp9+TdGb13Zccp+Acx1GzIjWbh+lEpVbDd17G"
    "e2Ns5/R4AbJzepzJdWRVlOq4YyKPQQcSqzTq5Iy9SZRfY8IBluTJpFC7BG2MSu4gbdwSmu"
    "hjkuCJYTUD/VvGNQiJrUDB3ugo9bt6/VrkAVaRZVQclSy1XGQtlz5+NufYLR8/NndbSj4C"
    "HxJZL+EpylB+gfEkQiZRdJPQXoKjRkfsM5k6ALfgOTBT0wKSuxkcgWILP84cybBBwW+HX0"
    "yE69XUby7qjWblOTsGtc74gYN6StzA10Z2vMBX+yIbHCaxOLilj2MDcTAKDs75B/Tdddse"
    "oA4afkcDewIOvLuaehsYWFUJ567zjyjnNvj+AzIE00rb/FjTXcqgQQHmn705QQMywVTPEy"
    "+YCexcqKB6skisAFplb4ycJKIFlqFnbDw1mT1JTO9RcuzJbm4TqnJ70+zmNOBKvXHdateQ"
    "89FnsocamvWTUweHpwuo4DBOhwINyKqoAkzM+aMBU33ewFhCcAf3Ag8X2gs8nLMXeJjcC6"
    "RcgSWNPqTY/bkBJo1ZxhQelouBPQDBdaHtzzibnbPPO52riAtw3urFQL69Pm8C+g720Ii6"
    "pKfV7sUAj6zSSdBbTMwL/YbkYqDT9W0lHazLvEfyCf5TPTw+O35/dHr8Hpo4TzkrOZujky"
    "S02+XzbnTt3F2XN5yGlNP1TREtXeD5LnA86euVrnA822w7IX7RJU4xtLyucTh+G9q+fmUS"
    "QnzTfEfwL/M13j5f42Jss/tKSsDFrdibF3FRZ00WCLlYBH49eZCyyKREJcgYIhxkgnqU6Q"
    "OigiOqIcqRRixgrtoe4oYnzhGTIRKk2aZOVVBtWthljXdKCb38NbNc2SBE/BwrqvxdhmaK"
    "FJrJT+jfhMqvk2OumM27Zr44nrP2JZppbid5SvGKelCa4W567XcijjLP3Wne9SKejh8teX"
    "ddv/s54u1cddof/eYhx//iqnMeAxtor5WCdqbpztqXpptiuoSlrGCZWHqtSyRTkDSBqil5"
    "jTMqtBSuBcvzWAus+aw0LFJCmoR0TLAG91NMLFL2AX6/6bTTcY3LxUN5VBXof0infG3TQY"
    "jMDmyqC8r4vrzfW/BZidP8xS2+jsWIr+wgvri5gWjVsFmeWSQmVU7PKUbv+3s5w5gxsTKE"
    "OT+EGfaqXxm+3MGY0F4sdBkzriJl9MzQTwkyhTWTHWcKm8ICoSaGbFM3sEY0NKQ6cQ4cO6"
    "EeNiLcmfHBYFJDR3kkU0NB8bg7H+Pqyamrf802gaCpBphmGRQqVFBIUJGVUJKxSvoCO+F2"
    "R9MXjhZKXziak75wlExfkKMp73HxsEyRca705BE/ncIE9RNH8ok/oAkRWJobMpg+TUw0iy"
    "VOnSyUOHUyJ3HqJK6Ge5rm/SyWOOXLFloVXxqXNWRqwz5rdC7uajLm/9RnX7704No0BVzf"
    "Xd3A9ZPO4fpT7/qqhsZiovfZdb37udH5s11DE2zda8Yj67OLm681pPKHPpPxJJj8vGDb2y"
    "dgcfovUQZTQdJ2y+goO4IVkdsldv9LtXp0dFY9ODp9f3J8dnby/mBG85NV8/j+eeujpPwR"
    "VSR9gGBhX3Q6CySKPIKWXDRWfyI0wpdywByXK8FeAOwHyumA6lSkHMFdbHWI9rDB5NpO92"
    "O93fpW77XcGEqe1SIsW0Phb7BmdFtf671mDXkXBZn3wf2wU+b8xZQUSG9QQX/cNm+bjbyq"
    "caVqyP0EddS7N632R1CHewGL86fb9menyL/qs+b1ebPRcApnl33Wajead06hf9Vn3Wa98d"
    "8acj767LLeupJ3cz+LoWrTMqQLk6LsS3BRs+LVIaGYjodSal1aPthfV/LpHFgbndvzqyYM"
    "0OZF68Yb/kHOo1Pp+OCzLF/Q9lXankDeIGlUqNwXSEnxlZlBuXGNSZWZ03FYtyR75XBL4M"
    "RCkImZlnGYiWdYpLTPOKBDTHXbknOjli/UE5Nbip4UbUpd+ytzXMwmsNzDepSEOztpKEV0"
    "FxDfdPqQTjAnyvKv20mT38jbOgryTqMiHWHxQdqhl3WUB5dW864OU1tS6VHJ8g0tRdF6yl"
    "hPnEaRv2y61LuXArnyzUvFUXByXJcHEtewxx6eNt1ECmUwzfumo4RkCW552vMNT3tmmPUK"
    "kN71V0wlRvLyx2md2OArz4bOjjTuCN6Jk0MrOjvb8/IcdgWmTWQ3OpjNyXD0MX05y1Hx00"
    "xeTnWUmUfQWDYimpOeIo+6yreMe3HfGlKp+zpy/hNUDTkRHJkGYIPgz0BUJLMgV9Xpwmdl"
    "y2zIQmVDbskmwxbthpWHOjcYlS1PZ5SnM96accSJcIFPZ9SJRdVxGnPxauZyFhy0eYmsZI"
    "O64veZZr95YMFjnJ4GX8cECr88LUEAsjdwsxnAdi5aG8jFl4MqB8Je8x1Edy3vy4Q7itTl"
    "KftMckhk88eR32b9X9nB4wRT2ORi9vx/a1KxnA=="
)
