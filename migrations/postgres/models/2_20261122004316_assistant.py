from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "conversation" (
    "id" UUID NOT NULL PRIMARY KEY,
    "title" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "organization_id" UUID NOT NULL REFERENCES "organization" ("id") ON DELETE CASCADE,
    "user_id" UUID NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_conversatio_created_7f8ebc" ON "conversation" ("created_at");
COMMENT ON TABLE "conversation" IS 'A thread of questions and answers; private to the user who started it.';
        CREATE TABLE IF NOT EXISTS "message" (
    "id" UUID NOT NULL PRIMARY KEY,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "text" TEXT NOT NULL,
    "citations" JSONB NOT NULL,
    "prompt_tokens" INT NOT NULL,
    "completion_tokens" INT NOT NULL,
    "latency_ms" INT NOT NULL,
    "generator" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "conversation_id" UUID NOT NULL REFERENCES "conversation" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_message_organiz_5f04f4" ON "message" ("organization_id");
CREATE INDEX IF NOT EXISTS "idx_message_user_id_42524a" ON "message" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_message_created_e537a8" ON "message" ("created_at");
COMMENT ON COLUMN "message"."role" IS 'USER: USER\nASSISTANT: ASSISTANT';
COMMENT ON TABLE "message" IS 'A question or an answer; answers keep their citations, token usage and latency.';
        CREATE TABLE IF NOT EXISTS "feedback" (
    "id" UUID NOT NULL PRIMARY KEY,
    "rating" VARCHAR(8) NOT NULL,
    "comment" TEXT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "message_id" UUID NOT NULL REFERENCES "message" ("id") ON DELETE CASCADE,
    "user_id" UUID NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_feedback_message_54f57a" UNIQUE ("message_id", "user_id")
);
COMMENT ON COLUMN "feedback"."rating" IS 'UP: UP\nDOWN: DOWN';
COMMENT ON TABLE "feedback" IS 'One user''s rating of one answer (rating again replaces it).';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "feedback";
        DROP TABLE IF EXISTS "conversation";
        DROP TABLE IF EXISTS "message";"""


MODELS_STATE = (
    "eJztXWtv2zgW/SuEv7QFskHezbqLBZzYaT1N7GzidLqdDFTaom0hMqURpSSebv77knpYEk"
    "Upkm05skBgplZIXso+l497Dy/JX42ZoSKd7PatCcTa39DWDNxogl8NDGeIPgjzd0ADmmaY"
    "yxJsONRdAYMvOSS2BUc2zRtDnSCapCIysjTTf1ejBWyEIbabAD0iaw4cgiwAsQpUY+TMEL"
    "bBEOkGnhBgGwA907r0OTAw2mXV0zK0fg1PVq7JwdpfDlJsY4LsKbJofX/8SZM1rKJnRII/"
    "zQdlrCFdjYGkqawCN12x56abdnfXbV+4Jdm3HCojQ3dmOCxtzu2pgRfFHUdTd5kMy5sgjC"
    "xoIzUCGnZ03cc4SPK+MU2wLQctvqoaJqhoDB2dQd/419jBI4Y4cN/E/jn6t//VIsUUpdcf"
    "KLedgaI0EppiX4GD3E8aGZhpWcM2A+rXi1dvCIib2mAvOP/Sunl/ePLBhcAg9sRyM124Gi"
    "+uILShJ+qCHqLsfiZwPp9CS4xzUJ5Dmn7RZTAOEkKQw+YcwBcAVAKkjRl8VnSEJ/aU/nmw"
    "t5eB8bfWjQszLeXibND+53XOnp914OUxvEN8RxZieCjQTqLcpjm2NkNipOOSHN6qL7obPG"
    "wj+vQHqn2sz/2+lQH+oHvVuR20rq7Z62aE/KW7+LUGHZZz4KbOudT3J5yeFpWA37uDL4D9"
    "CX70ex2+1yzKDX402HeCjm0o2HhSoBoZBoLUALUXNpCNHyKdjCUM4ejhCVqqEssJmwcbTE"
    "myZZz5Yhdfb5C+GPW5NuDPIne0ii3U/kvQ3oPUsBWE8ARTzIoQtf1q6goTzaVTM3FRWBGq"
    "80hVdYKLdUbjwEjrnsms2cGMT4EYTtyfxN7N3uRjdoPGdOiYDowHJLTzYvmZdp7llaT2Ul"
    "D0VUOvjxHwxYArtgOIbVhIBZAACKaQTD8By7BdjYIHhExqqE0RGE0pPID+R0018HMMZ5o+"
    "/5m0/tZfvTQJK24SumpWmGaLGIZxqfWYh6/jvTHj8OQoh214cpRqGrKsuGXo9YkiDTqUWG"
    "ejTo7Ym0R5lSYcYomeTY3mLmFlxyVraGVviVUdYJIwq6NqptbyMp5URGwNCvZ7h9Tv+vVr"
    "oUc6iyyj4rik1HKVtSwpkXSbo16UCDd2W0oxAz4iUq7BU5Wu/IrFk2CY4ugmob2gjpo2wV"
    "/R3AW4S78HxCMRf1tPLokmW/Bp4UhGGxT97fQXI9vzalq35612p/GSTtmVyR+4qAt4g0Ab"
    "6XxBoPY860Emsgh1S5+mBiC0URDqnH8CPz23jVE+tOBPMHRm1IH3ZlN/vQeORogQz/kHGi"
    "EO9f2HaEyblmitqKS3SNKgAuPPTgZpgGZQ04vwBQuB2lEFB8d5uAJaKn0d6TjBFliGnrJO"
    "18HOLDG8x41jX3Zza3aNu9vOTcEG3Gi1r7q9JnA/7jGroQkW9RTUwf5JDhXs8+ZQqAGWFV"
    "eACQl5MuhQX5QYSwjWcOl0P9fS6X7G0ul+culUIwqd0rRHQbs/M2iThjhlCI/KcWAPqWBZ"
    "aAcjzmbH7LN+/zLmApx1BxzId1dnHYq+iz0tpHlGT7c34ACPzdJJ0LvYzqJ+I3Ic6Fp5K2"
    "97ZTXvCfsG/zjYP/p4dHp4cnRKi7jfcpHyMUMnSWi3y+fd6NxZX5c3GrVV0PUViEoXONsF"
    "5mPkVnSF+eC87YT4VZdY0NCKusZR/jayfL1iIAK/aF4T/GV4iwxvKRmuMUIq66mrIXURqa"
    "UuKJVJ4p1PHfzQELB4XsZOFo03WhTJweNZiP569MhkgamhEQLGGMAwGtu3wz8BzSZAU4FG"
    "gIos6g6pO4AYvjgBmPFuQHVMXRtR1Yq4vBLfJODz/lgMh6xAxJtwW1HjT8n3VYnvK+4lvo"
    "l/WKbjsmYX0Wvm+fFclJdoirgM9CxwtQc0NYXD8MvXgpzL8qE73wcx9zmg4N5ftb5/iLnQ"
    "l/3e56B4hE06v+yfcWBTX8oSoJ3adBflZdMVNF2EBTNYKpZ+aYmkAEmTmmpK0cYZF1oK14"
    "oFD5UCa7FWGhWRkCYhnSKo0vcpJrQFi0u/3fZ7Ylx5OZ4f1kY2+B/QNVLacBAxZoeOptsa"
    "JrvsfW9hzzKcsic3fh7jDF9WAT+5easbI8PBRUYRTkoOz4JGH/h7BblxTkzy4tm8eNSrXp"
    "ETryHRuMPx4VzjqlKY2AJ9AckU1Uw6zxRtCjmoJgwcUzegilQw1nTkbvp3qR48QcQd8WmD"
    "EVJHRSSFVBC/mEOm8OD4xNO/6pjUQBsZtGlKUqhSpJCt2WlRSimzZCBQC7c7HhNzmCsm5j"
    "AjJuYwGRPDelPRIxuiMlXGuTFg+0Z1jQ5Q7whg3/gTmCEbsuYGDKzPEwNNvmi841zReMcZ"
    "0XjHvBoeNJH3ky8aL5CttCqu2xdNYKrje9zun39vMs7/+R5fXw/os2na9Pn75S19ftYJff"
    "4yuLpsgqk90+/xVevma7v/e68JZtB6UI0nfI/Pb781wYg83mPGJ9HBzyfb3j6qj2h/I2U4"
    "t5FoXVGbpDNYMbk6Wff/PDg4PPx4sHd4cnp89PHj8enewsxPZmXZ+2fdz8zkj6ki6QOEE3"
    "ve4SyUqHIPWnLSWP8245i9VABmXk6CnQPsR41oQ03XbMG+7nyzQ7yGDUZs928+t3rdH61B"
    "1+NQiswWUdkmiP5F54yb7rfWoNME/kNFxn3qfjiCMT+fkkLpDSroP3edu067qGo8qSbwPq"
    "k6Wje33d5nqg7vgU7OX+56X92k4Oked67OOu22m7h4vMfdXrvz3U0Mnu7xTafV/m8TuB/3"
    "+KLVvWRv8z6roWrTMpgLI1D2BXVR0/jqiBCn4zGTKkvLe7tlRTRnwNru351ddmgH7Zx3b/"
    "3uHwbSupmuD74IHafavhStCRQlSeNCcl1AEDfOIoMK48pJyXB8HtYtiV7Z3xI4oW2jmSkK"
    "Y03FMyoi2ycP6BhqumOxsVEtRvVwckuZJ1UbUks/h8nDbEanezofJeFODxoSiNYB8U2HD+"
    "kIEqQsf4aTSH4jR8BU5KCsKu2LCkCq0Qkwcjfceg6AMdUllR6XlMf+VEXrgr6e2IzCftl8"
    "qQO9Qjl5nFd1FJzs13KXawlr7NFh0wukUIbzosdnJSQluHIL8RtuIU5p1mtAuu7nliV68v"
    "J7tF1ucNVdtMF+xZrgndg5tKYN2QM/zqEuMG0iutHFLCPCMcD09ShHJQgzeT3UkUUe0cKs"
    "EFLd8BS21ZUdXe/zvk0w0rwz7sk7mjUmyCbANCg2gP5vAM1ORkGuq9Lce2VlNGSloiG3ZJ"
    "Fhi1bD5KbODbKycneG3J3x1hYHbwhXeHdG7GQZ0TEg3MkzGaeB8CXzXPY4ZYQZsy+oPt0d"
    "FsTddAExeaJ1fQKmpT3S9sDuaGTX87iXOLqH9LKNrkgVGjDrq1Ye31uBUSjLVpE7N+RFkH"
    "LNS54AWX1bSt4pIdnwKpuoy7Hh8vqOcq/viJjjXqzWigzvVRjxVROwSyV3F4dJChyj6EGT"
    "6U5R9FDLfJeistbyjgCqGgpHwLx6jgt476fCCbul1EKmDkeIUG/lg/gG1BXqErK3kYBBt+"
    "tL5rZS3pCnUbE7lOO6jYV0lX2jxt11E9xdsw2+bLMu+5dv+nl8pdMcntJpqp90mvCSjJmY"
    "DUsneSMiMvi2OM27XX6pDMtbj2MqgzHrpvU8wZi+2VHQZY5LSa9ZkhAbJCFSd+UUdo7r57"
    "LtcP5xvKNK1uHNWYcyXeqgOQs86khLT3eoIx0rzwJjsP4HDIs6vr7v+ylYCAQPCJlsBVCz"
    "wpimHf82T4e9x1021GnrwKPkOU5l1C+XHCswsO9kONnbtDZSkY1+NbFKtg/N7bp9dRkyaH"
    "Hb6j1u3d52qaPRGzTB4nEZamj9R7nI+L9NEkPBPJtEPP088piQPIw8WylLHEZuWsbMtFMv"
    "2Es/aYeXk2duJI7aoQhR256ZFIXhFcpKiHmIfftcmRXBNi4kQeVB9X+7IXDl08P3YkIbPM"
    "SurHF4A9eRb9dCiQzgW8s6STQWu6A7JRCVZG822ctHvq9ITNb0stcdjqAUNLTlw6Pk5bEp"
    "qJcaH9VCljaaNgRcrp+zk0XlwrDMa0xuOgxr5kvTr63MeQeY39JX40nLnPTWYsYtsXs03a"
    "hL3z66nYzHBi5yYJ2qAMJ+8RqiW47JbGBbGM2VQSCFIpunj97GXlobUZSwrDa5Mvnyfykj"
    "H98="
)
