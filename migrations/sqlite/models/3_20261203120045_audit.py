from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "audit_checkpoint" (
    "sequence" BIGINT NOT NULL,
    "hash" VARCHAR(64) NOT NULL,
    "pruned_at" TIMESTAMP NOT NULL,
    "organization_id" CHAR(36) NOT NULL PRIMARY KEY REFERENCES "organization" ("id") ON DELETE CASCADE
) /* Where an organisation's chain now starts: the last pruned event's sequence and hash. */;
        CREATE TABLE IF NOT EXISTS "audit_event" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "sequence" BIGINT NOT NULL /* 1, 2, 3... within the organisation. */,
    "action" VARCHAR(64) NOT NULL,
    "actor_id" CHAR(36),
    "target_type" VARCHAR(32),
    "target_id" VARCHAR(64),
    "ip_address" VARCHAR(64),
    "request_id" VARCHAR(64),
    "details" JSON NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "previous_hash" VARCHAR(64) NOT NULL,
    "hash" VARCHAR(64) NOT NULL,
    "organization_id" CHAR(36) NOT NULL REFERENCES "organization" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_audit_event_organiz_4431cf" UNIQUE ("organization_id", "sequence")
) /* One recorded action; never updated, its hash covers every column and the one before. */;
CREATE INDEX IF NOT EXISTS "idx_audit_event_action_3fd1cc" ON "audit_event" ("action");
CREATE INDEX IF NOT EXISTS "idx_audit_event_actor_i_770e12" ON "audit_event" ("actor_id");
CREATE INDEX IF NOT EXISTS "idx_audit_event_created_a87696" ON "audit_event" ("created_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "audit_checkpoint";
        DROP TABLE IF EXISTS "audit_event";"""


MODELS_STATE = (
    "eJztXftv2zgS/lcI/9Iu4Asa59GcczjAid3W28TuJc5ub9cLh5boWIhMafVI4t3r/35DSr"
    "L1oBTJr8gCgTZxRA4lfzMiZz4Oyb9rM0Mlun3Qtx4w1f7CjmbQWhP9XaN4RuCDsLyOatg0"
    "l6XsgoPHOhcw4jXHtmNhxYGyCdZtApdUYiuWZvr3qrWQQyimThORJ2LNkWsTC2GqItVQ3B"
    "mhDhoT3aAPNnIMRF6gLX2ODEoOWPNQB9rX6MPaLblU+9MlI8d4IM6UWNDe73/AZY2q5IXY"
    "wZ/m42iiEV2NgKSprAF+feTMTX7t7q7b/sRrsqccjxRDd2d0WducO1ODLqq7rqYeMBlW9k"
    "AosbBD1BBo1NV1H+PgkvfEcMGxXLJ4VHV5QSUT7OoM+tq/Ji5VGOKI34n9OP63/2ihaqNR"
    "rz8Y3XYGo1EtoSn2CDHI/UuKQZmWNeowoP7+4bW7BIRfrbEbXH5p3bw/Ov2JQ2DYzoPFCz"
    "lctR9cEDvYE+WgL1HmvxM4X06xJcY5qB9DGh50FYyDC0uQl+YcwBcAtAVIazP8MtIJfXCm"
    "8Gfjw4cMjH9p3XCYoRbH2YD3z3s5e35RwytjeC/xVSzC8BhhJ4lyG0ocbUbESEclY3irvu"
    "hB8GEf0YcvqPapPvffrQzwB93rzu2gdf2N3W5m23/qHL/WoMNKGvzqPHb1/WlMT4tG0K/d"
    "wRfE/kS/9Xud+FuzqDf4rcaeCbuOMaLG8wiroW4guBqg9oN1ZJPH0EvGLoyx8viMLXUUKV"
    "maB+tM7aRlXPhin77eEH3R68dswB9F7qCJPdT+j8Deg6tLK1jCEwwxa0LU9pupKkxQCkOz"
    "zVFYE6rLUFNVhQu7quaMwJtZ27BarKXOU8VMi3VcRsNI68qiRXFYlSlRHk1Do4IBL4C2T8"
    "nAgB85Ab6MNPkKyn73vBcgzxqzGMgzTPEDf0rWHBP2gbghExiepgPjkQhjiUh5ZixheTXB"
    "Jw+qvhpMgKqQL4a4WB3ZjmERFWEbYTTF9vQcWYbDlYkeCTEhGJgSpEzhGyP4B+EAup/gma"
    "bP75MRxuabl2FHycMOruYR02yR4CMqtZkQ5HW8dxaAnB7niD9Oj1PDD1YUjT68d6KIQS8l"
    "NmnUyU54lyivY8JLLMmLqUHpCpFcVLKCkdyeRG4BJonQLaxmiMhWidZDYhtQcDmdmEro1y"
    "JPMIqsouKopNRymbUsabd0n6NatFus77ZGxRz4kMh2HZ6yvMqveDwJFjOKbhLaTxCoaQ/0"
    "K5lzgLvwHJgqojmCavKVcNnCz4tAMmxQ8N3hGxPHi2pat5etdqf2I50WLsS7FOQPOOoC3i"
    "DQRjpfEKg9z5yjSSwbwtLnqYFsMAobgvNzdO+FbYxWhIr3aOzOIID3RlN/ThErCrFtL/hH"
    "mm27EPuPyQRMSzQfuaW7SNKgBP1PPYM0IDOs6UX4goVA5aiCxkkergBqpc9VniTYAsvQU+"
    "aCO9SdJbr3qHPsy+5uXrh2d9u5KWjAtVb7uttrIv5rSFkLTbRop6AODk9zqOAw7g4tNcCK"
    "ogowsW0/G9DVFyXGEoIVnJ4/zDU9f5gxPX+YnJ7X7BEMadqTwO4vDDBpTFO68LBcDOwxCG"
    "4L7aDH2W2ffdHvX0VCgIvuIAby3fVFB9Dn2EMlzXN6ur1BDPDIKJ0EvUudLOo3JBcDPd/k"
    "0EqYf9iWeT+wJ/hH4/D44/HZ0enxGVThT7m48jFDJ0lo9yvm3enYWd2QN5wZWDD0FYjKED"
    "g7BI7nYa4ZCscTQPcT4ldDYoGhFQ2Nw/xtaPp6zfSN+KR5RfCXKVQyhWrLcE0IUdmbuh5S"
    "n0KtVAWlbZJ4l1OXPtYELJ5XUM+i8ZRFlRw8nkXg25MnJotMjSgEGROElxn/vh9+jjTHRp"
    "qKNBupxIJwSK0j2/DFbUQZ74ZU19Q1BVQr4vK2eCcBn/f7ojtkFULRBLei2h+S7ysT31c8"
    "SnyT+HCbgcuGQ0TPzPPjuagv0RRxGeRFEGoP4GoKh+HXrwQ5lxVDd74PIuFzQMG9v259/y"
    "kSQl/1e5+D6iE26fKqfxEDG2IpS4B2quku6kvTFZguoYIRLBVLv7ZEUoCkCa7aqKhxRoVW"
    "wrVkyUNbgbWYlYZFJKRJSKcEq3C/kYkdweTSz7f9nhjXuFycH9YUB/0P6Zq9te4g5MyOXU"
    "13NGofsPu9hT/LcMoe3OLjWMzxZQ3EBzdvdkMxXNGqmVfmRBZSsnsWGH0Q7xXkxmNikhfP"
    "5sXDUfWanHgFicZ6jA+PGVeZ0sQW6AtIprBm0nmmsCnkoJoock3dwCpR0UTTCd9YglM99I"
    "HYvMcHgxFSR0UkhVRQfDLHnuLGyamnf9U1wUFTDDBNSQqVihRyNCctSylllAwEKhF2R3Ni"
    "jnLlxBxl5MQcJXNi2NtUdFuQsEyZca4N2LpRXYMO6p2N2BOfoxlxMDM3ZFB9nuho8mXjne"
    "TKxjvJyMY7iavhURNFP/my8QLZUqviW/tTE5nqZEjb/cvvTcb5vwzpt28D+GyaDnz+fnUL"
    "n190Gz5/GVxfNdHUmelDet26+dru/9prohm2HlXjmQ7p5e0vTaTYT0PK+CTo/Hyy7e2z+m"
    "ztLzIazx0imlfUHtIZrIhclbz7fzYaR0cfGx+OTs9Ojj9+PDn7sHDzk0VZ/v5F9zNz+SOq"
    "SMYAy4E9b3e2lCjzG7TioLH5ZcYRf6kAzHE5CXYOsJ80WxtruuYI1nXnGx2iLewwY7t/87"
    "nV6/7WGnQ9DqXIaBGWbaLwXzBm3HR/aQ06TeR/KEm/D+GHK+jz8ylpKb1DBf3nrnPXaRdV"
    "jSfVRN5vUEfr5rbb+wzq8D7A4PzlrveVXwo+DWnn+qLTbvOLi49D2u21O9/5xeDTkN50Wu"
    "3/NhH/NaSfWt0rdjfvdzlUbVoGC2EEyv4EIWoaXx0Siul4wqS2peUPB9vKaM6Atd2/u7jq"
    "wAvaueze+q//MpGWF/IYfJE6Dtq+Es0JFCVJo0JyXkCQN84ygwrjGpOS6fhxWPcke+VwT+"
    "DEjkNmpiiNNRXPsIi0zzigE6zprsX6RrUY1ROTW8k9KVuXuvV9mDzMZjDcw3iUhDs9aUgg"
    "WgXEd50+pBNsk9HqeziJ5HeyBUxJNsoq07qoAKQK7QAjV8NtZgMYU11R6VFJue1PWbQueN"
    "cTi1HYN5uvtKHXUk5u51UeBSffa7nKdQtz7OFu00ukGI3nRbfPSkhKcOUS4jdcQpxi1htA"
    "uur7liXe5NXXaHNucN1VtMF6xYrgnVg5tKEF2QM/z6EqMO0iu5FjlpHhGGD6epbjKEgzeT"
    "3VkWUeQWVWiag8PYUtdWVb1/u8bxMpmrfHvf0OiiY2cWzEjz1A8N9AmpPMgtxUo7nXysps"
    "yFJlQ+7JJMMezYbJRZ07ZGXl6gy5OuOtPY64I1zi1RmRnWVE24DEdp7J2A0kXjPPgaJTRp"
    "gx/wL0yVdY2HzRBab2M7R1jkxLewJ7YOeAsuN5+EGhfJNettCVqEIHZnPNyu17S9ALZfkq"
    "cuWGPGxUznnJHSDL70vJMyUkG15mF3U1Nlwe37Hd4ztC7riXq7Umw3u9zPiqCNhbJXcXm0"
    "kKAqPwRpPpQVF4U8t8h6Iya3lnI1ANwBEwr17ggt77V/EDO6XUIqaOFWJDtPKT+ATUNdoS"
    "srehhEH+6kvmtlTRkKdRcTiU47iNhXSZY6Pa3bcmuvvGFviyxbrsZ9z088RKZzkipbPUOO"
    "ksESUZMzEblk7yhkRk8m1xmne/4lKZlreZwFQmY1ZN63mSMX23o2DIHJWSUbMkIXZIQqSu"
    "yikcHFcvZKvH4uPoiypZhzdnHbYZUgfmLIioQ5aeHlCHXqw8E4zB/B8yLAh8/dj3PJgIRI"
    "+EmGwGULOWOU11/zRPl92HTxvqYB1USe7jtI325ZRjCTr2ekaQvU9zIyVZ6FcRr2T/0Nyv"
    "01dXIYMWp60Oaev2tguBRm/QRIuPq1BDm9/KReb/7ZIYCsbZJOLp+5FHhORm5NlKWWEzct"
    "MyZqaTesBe+k47cTm550Ziqx1ACHx75lIUhlcoKyGOQ+z756NZEWyjQhLUOKj+dzcEoXx6"
    "+l5EaIeb2G2rH97BceT7NVEiE/g2Mk8SzsUuGE4JRCXZm032xjPf1yQmK3rYaz1GUAoMbf"
    "X0KHl4bArqW82Parmq5lxOifLIl3/WBKRuvEo9i9zFrPJIidZ+leX9dUosRqQij1/zLOqd"
    "jZQpy2yCLtJb1mE3+VoPHdsOMi2XEhWRJ2/TfpuADuGd5GzsFNvTJNW7rZuswfeWl4l8nQ"
    "kuZRdfz6B9A+0JOpis/fZDUlVaGrvj3fbZ21IkTAjqV4JA2/ZGkl43tUJ8EBGsYEbNnsQD"
    "ggwaLyBIeKxFZnzzrqfoUzIw4MeOVlOUYWTZ3FqKDXtinaeUY9ZCpTn8L/KU+6w1lmRuEc"
    "Ww2JFpmDPY54hCAxbyE+7q/AA11iEjxWD+PvOHrDnyuhHuCzGHiSWmj8kEQiVxJvumbzKk"
    "Q3rPBO6RBk6cMTNdtu53PEf3qjED3R5wLA64e3ePWKN+mwZz0/yW6+jetMiTZrj2yGvsPZ"
    "QOKX8SY+LdNOovcnD9p2DJ9kijiu7CN/MeCb6ewWYz7/lD34NLCX6h9zfUN3XmbD5h3SV2"
    "HZxOB0284BI9kjm4nhgp2Fawyu6KwNpR7+7qCj0brq4OqUWeLc0B95MDBV/WMp4LnGQXeD"
    "Iy51/6pbub4D2so0YdHR0cHKBnzZmC9cffqbynq72J4+r1VkVc16XEtpzXnVKsW/Zdg+6y"
    "SE8Tllmjv9mbbbYL5Iv4ww2Ho4DNxsSqsJwldiZmI4fhHjXST8RsJFJCgoF9BZyFplsBlD"
    "ffPWgmi5HEpyilwxyVkji/jrNFeB5sQXOOSkmc8xyK6GBNL5TZFBIpR14Tu21l8prk5HpV"
    "ybMoQxqK8Yv0cAlBSUjn6OUk279FcMs7aVhetl/uRbQP/PnOlrC1iKUp05qIZ/dK6pkc+7"
    "LOa/R6OrAbXiWWyhMK33IBQ+hrsbQzN5tJXl1hz+z0USt90+wqDFyNk5McIxfUSt+LkpXF"
    "2D54qQog7FevILrbSRQ2qCPcwyZj2cxSZPfB5dv4AhsLI9eanV93MPvxfwAEmt4="
)
