from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "organization_prompt" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "version" INT NOT NULL,
    "text" TEXT /* None: back to Beacon's own instructions. */,
    "created_by" CHAR(36),
    "created_at" TIMESTAMP NOT NULL,
    "organization_id" CHAR(36) NOT NULL REFERENCES "organization" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_organizatio_organiz_51b89d" UNIQUE ("organization_id", "version")
) /* One version of an organisation's system prompt, kept for tracing answers. */;
        ALTER TABLE "organization" ADD "system_prompt" TEXT;
        ALTER TABLE "organization" ADD "answer_sources" INT;
        ALTER TABLE "organization" ADD "prompt_version" INT NOT NULL DEFAULT 0;
        ALTER TABLE "organization" ADD "default_visibility" VARCHAR(16) NOT NULL DEFAULT 'ORGANIZATION';
        ALTER TABLE "message" ADD "prompt_version" VARCHAR(40) NOT NULL DEFAULT '';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "organization" DROP COLUMN "system_prompt";
        ALTER TABLE "organization" DROP COLUMN "answer_sources";
        ALTER TABLE "organization" DROP COLUMN "prompt_version";
        ALTER TABLE "organization" DROP COLUMN "default_visibility";
        ALTER TABLE "message" DROP COLUMN "prompt_version";
        DROP TABLE IF EXISTS "organization_prompt";"""


MODELS_STATE = (
    "eJztXftz2joW/lc0/NJ2hs005NEu2dkZEkjLNoEsjz7uZcc4tgieGNnXspNy7/Z/3yPZBj"
    "+JzSvGqx+agqUji0+vcz6dI/1VmRkq1ulR13qQifanbGsGqdTRXxUizzB8SEyvoopsmstU"
    "9sCW73UuYERz3lPbkhUb0iayTjE8UjFVLM303lVpIBsTmdh1hJ+wNUcOxRaSiYpUQ3FmmN"
    "joHusGeaDINhD+CWXpc2QQfIE0m6JG87bdoYhiG02NZ3gEovQZW/SIvR2KgNdr5GGXLxqR"
    "ERnTObXxTDItY2baY9QBOTTDkAVdYlkxyBuKjGeCNAL1cRT22+kFGrvZJagOhSdjpBgOgX"
    "fZU4yUqUweMB0RY8K/u1nR2/d1RFj9vQzquyr/DeNgE915tXjE2KTer/XeAfWw8U8bKj12"
    "6y9Rw7EUTEN1Zi8EdEAG8o8vW42rbkdqdPrfWj2p3x32rlr98REaq3giOzrUX6PavaZr9n"
    "yMNIpkKFw1ZrJGjnxo6ZHXk74Gsj7JuoPRW3sq2wiSHR0jFZuYqIAVgTpo7H/8jrekQ7Q/"
    "HCzZxgOGylnQnr//Bx5rRMU/MfW/mo/SRMO6GurDmsoK4M8le27yZ8Nhu3nNc7Jeci8phu"
    "7MyDK3ObenBllkdxxNPWIyLO0BE2zJNlYDfZo4uu4NAf+RW2N4AA2OF1VVlw889Fj5/5g4"
    "hHcKxN/E/pz+06taIJskdboDqd8aSFIlNpBYFSJd3nsE3Y8NQg2agQHzyy13CQh/WmEvuP"
    "rc6L09OX/HITCo/WDxRA5X5RcXlG3ZFeWgL1Hm/8dwvprKVjLOfv4I0lDRdTD2HyxBXs42"
    "Pnw+QDuAtDKTf0o6Jg/2FL7W3r9fgfHXRo/DDLk4zgZMj+7c2fGSam4aw3uJr2Jhhock23"
    "GUm5BiazOcjHRYMoK36oke+R8OEX34gWqX6HNvbK0Af9C+bfUHjds79roZpX/oHL/GoMVS"
    "avzpPPL07XmknRaFoG/twWfEvqLfup1WdNQs8g1+q7A6yY5tSMR4lmQ1MA34T33UQq0eWl"
    "biDT+AqTy50WOCa40zr4pFaehVDdv6Pgi1qT+Y3t42vr8LtetNt/PJzx4YfFc33cvImAsv"
    "z3H42yQF/bhgBH74RbsaaO93NcoeWA3+Vjs+/XD68eT89CNk4bVcPPmwon3anUEE3LD6kQ"
    "PcuOBa4Basb28b3rhulmd1Tpbe31pd6fY+NTrt3xqDdrezK0UovGofn2dYtI+ja8FyzWZJ"
    "v34xLXTyGNCQ2IN7WXl8li1VCqVE55mEMXDpCV5/6WF9YVNFmiHBRrtbTPsHtpT/8jui/3"
    "S5pC/hYobbhmANoYiywrOwuTaDqOkVU1aYIJWtzxyFDaG6ChRVVrhkR9VsCT9t3rEarKTW"
    "U8m6FpvnjZqRNvOHk6KwKlOsPJqGp7gkQ9sleGDAn4wAX4WKPCxdaCXIs9osAvJMJvIDry"
    "UrjgmnL4kvkJvLhTMbxRkwsF5mOqHxfBoOGRMkw19elDtxvKHINdo8qq+KHrFpo4lhIVYu"
    "4JVObW6tZMZlNoj3lXF/UYaSYefyg4xGZDTos0zRonuhZ82ephF2v8fYYd9A+o/g8orE5e"
    "U3eF/F0j0ga4wNljz0jZ+/wKxNhe0X1BFb4diGSeo2R2y2Kga347Oi9wl2cfqMEpbaYGYp"
    "5oq71jwiOOr/b446pA/lW6ATRLe5Wh/soIqxSMlox6G+NiysPZAveM4Bb0N9ZKIkbbSl7O"
    "wfJsQxSwEeW/LzQoFM6mjwARDAtsuENvpXjWar8iudrstl4OU0VHp4Ah1gOjAecaL/RSh9"
    "pXFiuTlB7/azZjJLPDHExaqI2tCPVASavYymMp1eIMuwOXieT4HnoaCxpZ5t0qPxRJ5p+n"
    "ycbJtst3jhC1CAKWqV/cCbWWItm2fPISy1nb2Gl/Hem1fA+WmG/YXz09T9BZYUVrfcMZGn"
    "Qy8ldrvM7hPl7aiu+KepQeoaqmtYsoSq64Goqj4mK3VVh65lngTEttDAh2P7HVz7WvgJVp"
    "F1mjgsKVq5yK0seIZ0naO8PAPb9s/JLwREBK+wmldwPI+IDfmEkjlWVCM8QqBDFYk/4Kgn"
    "8AZ+a6TzBX6zZ4nTMLFFwSx9nhqIQqegYJxfoLFrti02CO+dGRjw7mrqhR7IioIpdY1/pF"
    "HqgO1/jyfQtZKCNHb0FkEaFGD+qa4gDfBM1vQ8fMFCoHRUQe0sC1cAudIDCM5ibIFl6CkB"
    "Gi3izGLTe1g59mT36AA67Ld6OTtwhcdo1d1QrRFhJdTRopxXcQcNeZPLlD4bMNXnJcZigi"
    "WMmTnOFDNzvCJm5jgeM6NRCZY07Smh318a0KVlkjKFB+UiYN+D4K7Q9mec/c7Zl93uTcgE"
    "uGxH98+Ht5ctQJ9jD5k0V+lJcHMIrtJx0FPdR2JyIlwiCu1h2bx7XTvLa/KKrXWxtV50k3"
    "gLW+tB/jawfb2hn3l007wk+ItYDxHrsWO4JhirbKRuhtR1oJSyoLRLEu9q6pDHSgKL5yZU"
    "V9F4yiJLBh7PwvDr8ROTRaaGFcxjBpbHoHh6uHvuiaayIz1UbIE5pFYRNTxx6h1Dojqmri"
    "nQtElc3g7flBhfoAbmsYA1wXuRCDIoFt8nggy2bSK63Tw7nov8As3XDtkoGpj7jsYAW8pK"
    "QDu16y7yi66b0HUxSVjBUrH0cgskE5A0QVWT8nbOsJA4nCQF1ny9NCgiII1DOsWyCu+TTN"
    "lO2Fz6V7/bScY1KhflhzXFRv9FukZ3Nh0ElNl7R9NtjdAj9r7X0GcZTqsXt+g6FlF8WQHR"
    "xc3d3eBnO+beE1lIiek56ZAjz97LyY1HxAQvvpoXD1rVG3LiJSQaqxE+PNK5iuQmtkA/gW"
    "QKtkw6zxTsChmoJoIcUzdkFatooumYn1TLqR52tC2f8aHDJFJHeSQzHTVBp3Lt7Nxtf9Ux"
    "QUFTDOiaghQqFClka3aal1LKKukLlMLsDvvEnGTyiTlZ4RNzEveJYaMp71m9QZki41wZsL"
    "hRXYMJ6g3lR9VcoBm2ZdbdkEH0ecazKKLeeGeZvPHOVnjjnUWb4VFLsn6yeeP5soVuirvm"
    "dR2Z6mREmt2r73XG+f8ckbu7AXw2TRs+f7/pw+efOoXPnwe3N3U0tWf6iNw2el+a3W+dOp"
    "rJ1qNqPJMRuep/rSOFPo0I45PqyCfbXt+rj2p/Yul+bicdYXqpPaQzWCG5Mmn3f6/VTk4+"
    "1N6fnH88O/3w4ezj+4WaH09ape9ftj8xlT/UFHEbYLmwZ53OlhJFHkFrLhrbDzMO6Us5YI"
    "7KCbAzgP3Scb0vrw6HeGRvSLaOgt9gzei1vzYGrTryPhRk3gfzw0mY87M10lJ6jw3072Fr"
    "2GrmbRpXqo7c/6E5Gr1+u/MJmsP9AIvz52HnC3/kfxqR1u1lq9nkDxcfR6Tdaba+84f+px"
    "HptRrNH3XE/xuR60b7hr3N/b8YTW1aBjNhEhr7GkzU9CPgF0KRNp4wqV218vujXXk0r4C1"
    "2R1e3rRggLau2n1v+C8daXkit8EXruPQ2jdJewJ5SdKwkNgXSPAbZ55BuXGNSAl3/CisB+"
    "K9cnwgcMq2jZOPwE+/BiIgIvpnFNCJrOmOxeZGde2ov2gZRT6MdNjpD+/uur1BqykNftyB"
    "thh9wnSSu8EP6RoUC6aU+J9Bf+n2esO7gZcS/AYynavejztWhicX+j4ig25Xumn0PkHS4i"
    "NoMZAm3bb7rqIU/OZK3DY6P6TGYMBq0XclQ49G5GvratDtSX3405KGncZX0Ical6wGaSlQ"
    "cq/R6bdbHag7PBv2WJ2ij0YENLQOZ1e8D+voWLs4y8rtazNQmWBNj3fZdMerBNEC99TCum"
    "DpWKZYWv8crCT5vRyjU5DDxooUW+aDVKJTdERE4XYO0THVNRs9LCmOTipKqyeM9VhAD/tl"
    "87UORVvKiSPRitPA8XEtIoV34KcQnDZdZxTpfp73CLKYpABXhGG/Yhh2SrfeAtJlP/stNp"
    "LXj3Pn/Oqmkch+zGdJ8I5FX20pqH3g+YqUBaZ9eIhyzFZ4ifqYvuwpKvmuOi+7izLvLcjM"
    "MmHVvV/MmPDj/z3uvI4Uzb0ngL6BpAnFNkX8jjsE/wyk2XFP0m0VmjneWHiUFsqj9EA2ag"
    "5oR1EExu6RlRURLiLC5bU1jqgiXOAIl9DpPElHqURO71lxoko0Z4aDVewpI8yYfgHtyaNU"
    "KA9c8W5XvUCmpT1Bf2D3JbIrjtjhy+5BxyxYGKuJCsz2ihVHIBdgFlqlq4jol2DYRabol9"
    "qK6JdaPPpF7HmVbPdDnKL5+ty4uJdDsOEFU1HXY8PFFSi7vQIloI67vlobMry3S4+vkoC9"
    "U3J3cSBngmEUPKwz3SgKHgya7WJZ1lveUARNA3D4zKtruKC33lP5gd30amFTlxVMwVp5l3"
    "yL7AZlJbK3AYdBPvQFc1soa8ht0WRzKMOVJQvpIttGleFdHQ3vWJA0c8ltrumP+zGDpfQx"
    "1U76GLOSjFkyG5ZO8gZEhPNtfpr3sOxS4Za3HcNUOGOWrdWzOGN6akdOkzksJaxmQULskY"
    "RIjcrJbRyXz2SrRuzj8EAVrMOrsw67NKn97pxgUQd6erpBHRhYWTYY/f0/ZFhg+Hq274W/"
    "EYgeMTbZDqBmLX2aqt6NqA57D9821KF3ECV+FtYuyhdbjgWY2KsrjOxD2hspSKBfSbSSw0"
    "PzsG6wXYcMWtxYOyKNfr8NhkZnUEeLj+tQQ9s/Dkf4/+2TGPLX2Tji6We6h4TEge6rG2WN"
    "A91Ny5iZduolhemnFUXlxLklseOKACHQ7ZlKkRveRFkBcRRiTz+XZnmwDQsJUKOger/dSD"
    "Dl0933QkJ7PAhwV/PwHq5096bQ1KiOdLDjkqVD/DQL4KfpeJ8Kf8myb1Bk2ZYKur7ntF4T"
    "RAW3vppbjwYabMgDl/R+4mqED07oaOt7o4n7jlNQ36k7WsNRNftqipVHHm1bSeDQo1mqq7"
    "h0mWWWlHDuF0n1b1NsMd4auXSm26PeUKRMmSMZTJFuFA2t89AaXaY2Mi2HYBXhJ/eeCYqh"
    "DWFMcvJ7KtNpnFnf1Us2oNeLS/y+TLwXcoqvrmDZ/dZLmGBWXRERkCpTJPKeL4hgoyWPoe"
    "DnLwVfuetzO91pag37ICRYQgemA7EHEhyWXIMgprHm2WDPGr7SJXhgwJ89Ba8UYWXZXujK"
    "ljWx1lPKzYCB1Az6F37KfD0g8+m3sGJY7JY/mW8YXCACBVjI82+s8jv/2ISMFIPp+0wfsu"
    "bInUa4LsQUJhYHcI8nYColBw5s+yUjMiJjJjBGGihxxsx0WJj1/RyNVWMGbXvEsTji6t0Y"
    "sUK9Mg2mpnklV9HYtPCTZjhUcgt7C6kjwmtiTNyXhvVFDq5XCxbbgDSi6A78MrdK8PMMtn"
    "k85pUeg0oJeqH7HfKbOlM2n2TdwbQKSqeNJq5xiR7xHFRPGSkyVWSVvRVBb0ed4c0NejYc"
    "XR0RCz9bmg3qJwcKfqxlPOe4fNHXZESIhdBL97efflxFtSo6OTo6Qs+aPYXeHx1TWS8EfB"
    "XF1Z2t8qiuS4ldKa97pVh3rLv602WemSYos8F8czCnmudwz/GWGw5Hjj4bEStD9FDkGtda"
    "ho57Uku/xLUW88DxF/Y1cE7suiVAefvTg2YyGyn54q90mMNSAueXcbYwdzvO2Z3DUgLnLP"
    "d42rKm53IkC4gUw42MvbY0bmRic72s5FmYIQ3Y+HlmuJigIKQzzHKC7d8huMXdNCwu2y+O"
    "fjoE/nxvEYMNbGnKtJLEs7sp1ZUc+zLPS/R6OrBbDspL5QkTR3kCQ+i1YmF3brbjK7zGEe"
    "Xpq9areLHubeGqnZ1lWLkgV/rRnywtwvbBoMqBsJe9hOjuxC8b3mgnHhm0IkppKbJ/4/J1"
    "dIGtmZEb7c5vupj9+h+qHWkx"
)
