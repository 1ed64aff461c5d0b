from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "embedding_state" (
    "id" UUID NOT NULL PRIMARY KEY,
    "active_model" VARCHAR(100) NOT NULL,
    "target_model" VARCHAR(100),
    "reembed_cursor" UUID,
    "retired_model" VARCHAR(100),
    "updated_at" TIMESTAMPTZ NOT NULL,
    "organization_id" UUID NOT NULL UNIQUE REFERENCES "organization" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "embedding_state" IS 'The embedding models of an organisation''s vectors.';
-- Every vector stored so far was made by all-MiniLM-L6-v2 (ORIGINAL_MODEL).
INSERT INTO "embedding_state" ("id", "active_model", "updated_at", "organization_id")
    SELECT "id", 'all-MiniLM-L6-v2', CURRENT_TIMESTAMP, "id" FROM "organization" AS o
    WHERE EXISTS (SELECT 1 FROM "document" AS d WHERE d."organization_id" = o."id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "embedding_state";"""


MODELS_STATE = (
    "eJztXWtzmzwW/isaf2k74800TtJ23Z2dcRK3r7eJnfWll3f9DiYgx0ywYBEkze72v++RAJ"
    "uLcMC3YF59aIpBR4hHt3MenSP9tza3dGzSo55zpxLjP6prWKTWRP+tEXWO4UL4vI5qqm0v"
    "n7IbrnprcgErmfKWuo6qufBsqpoUwy0dU80x7OBdtRZyMVGJ20T4ATtPyKPYQSrRkW5p3h"
    "wTF91i0yJ3FLkWwj8hL/MJWQR/RIZLUevyutOliGIXzaxHuAWi9BE79Ii9HbKA1xvkbpcv"
    "GpMxmdAn6uK5YjvW3HYnqAtyaI4hCTrHqmaRVxRZjwQZBMrjaezb6Uc08ZMrUBwKdyZIsz"
    "wC73JnGGkzldxhOibWlP/2k6LXb5uIsPIHCfQ3df4Nk2gV3QSluMfYpsHXBu+Acrj4pwuF"
    "nvjlV6jlORqmsTKzFwI6IAPpJ+ft1kWvq7S6g2/tvjLojfoX7cHkCE10PFU9E8pvUOPWMA"
    "33aYIMilTIXLfmqkGOQmjpUdCSvkaSPqimh9Frd6a6CB57JkY6tjHRASsCZTDY//gNr0mP"
    "GP/2sOJadxgK50B9/usPuG0QHf/ENPxp3ytTA5t6rA0bOsuA31fcJ5vfG406l594StZKbh"
    "XNMr05Waa2n9yZRRbJPc/Qj5gMe3aHCXZUF+uRNk080wy6QHjLLzHcgArHi6LqyxsBeiz/"
    "v009whsF4m9if07/HhQtkkxRur2hMmgPFaWW6kisCIkmH9yC5sc6oQHVwID55ee7BITfrb"
    "EXXPzW6r8+efeGQ2BR987hDzlctV9cUHVVX5SDvkSZ/5/C+WKmOmKcw/QJpKGg62Ac3liC"
    "vBxtQvhCgHYAaW2u/lRMTO7cGfxsvH27AuOvrT6HGVJxnC0YHv2xsxs8avjPGN5LfDUHMz"
    "wU1U2jfAlPXGOOxUjHJRN464HoUXhxiOjDB+o9Yj4FfWsF+MPOdXswbF3fsNfNKf23yfFr"
    "DdvsSYPffUrcff0uUU+LTNC3zvA3xH6i33vddrLXLNINf6+xMqmeaynEelRUPTIMhHdD1G"
    "K1HptW0hU/hKFcXOkpwbX6WVDEslT0qoptfx/G6jTsTK+vW9/fxOr1qtf9HCaPdL6Lq955"
    "os/Fp+c0/B2SgX5aMAE/fNGuOtrbXfWyO1aCvzSOT9+ffjh5d/oBkvBSLu68X1E/ne4wAW"
    "5c/SgAblpwLXBL1ra3DW9aNysyO4ul9zdX13r9z61u5/fWsNPr7koRis/ax+9yTNrHyblg"
    "OWezR79+MS10eh/RkNiNW1W7f1QdXYk9SY4zgj5wHgh++tLH5sKmSlSDwEa7WQz7BzaV/w"
    "obYnh3OaUv4WKG24ZgjSCLqsKzsLk2g+gyyKaqMMFTNj9zFDaE6iKSVVXhUj3dcBX8sHnD"
    "arGc2g8Va1psnLcaVtbIH3+UhFWbYe3etgLFRQxtj+ChBX9yAnwRy/KwdKFcDRLPb7GuQz"
    "YKdeHLtgFcO8xyEOZYEdxYU5w35onGOVeJesdLybJjwtmqxDOk8FLhyEcNRwzT5xliqLuQ"
    "vkTWFKnwl2flD7ivKPKN3YAiraN7bLtoajmI5Qt4ZVPCW8uZccAtEvxknGmS2WXY+bwqo1"
    "8ZffyoUrRoXujRcGdZROe/Uqx6aFj+ITnQMnGgxYmCF2EIDsiKZZ2lCO0Vpi8x21Vj6yxN"
    "xDQDttCUuTyUGq3KwYmFbPKtgE/IHlHiUhuMLOWccdcaRyS3/+fm9mP6ULEJWiC6zdn6YD"
    "tVin0To52G+pPlYOOOfMFPHPAOlEclmmiBMsMj4jAhTlkKcNtRHxcKpKihwQUggF2fQW4N"
    "LlqX7dqvbJqzkGFc0FDp4yk0gNnQusdCv5XY85XGieOnBL07TJrLLAnEEBerI+pCO9IRaP"
    "Yqmql09hE5lsvBC3wxAs8Og031zLkBTabq3DCfJmLbZLvZSx+KEgxRq+wHXs0Kq9kiazVx"
    "qe2s0TyP9968Kd6d5liXeXeauS7DHsXVLb9PFGnQS4ndTrP7RHk7qiv+aRvwdA3VNS5ZQd"
    "X1QFTVEJOVuqpH1zJPImJbqODDsf0Orn4d/ACzyDpVHJeUtVzmWpY8Q7bOUV2egblLFOQX"
    "IiKSV1jNK3iBJ8mGfELFHFLqCR4h0qDKxB9w1AW8QVgb2XxBWO154lts7FAwSx9nFqLQKC"
    "gY5x/RxDfbFguEt94cDHh/Ng1CNlRNw5T6xj8yKPXA9r/FU2haouCWHb1FkgYlGH/qK0gD"
    "PFcNswhfsBCoHFXQOMvDFUCq7MCLsxRb4FhmRmBLm3jz1PAeV44D2T06zo4G7X7BBlzjsW"
    "1NP8RtTFgOTbTI50XcaGNe+CqljxYM9UWJsZRgBWONjnPFGh2viDU6TscaGVSBKc14EDlV"
    "WdCkVZIxhEflEmDfguCu0A5HnP2O2ee93lXMBDjvJNfPR9fnbUCfYw+JDF/pEbg5RGfpNO"
    "iZ7iMpORlmkoT2sGzevc6d1TV5TZW6imndGWSNek8JS1KrzKSWdKOQbhRlpz+24EYR5eoj"
    "rgobxmIkHSQqgr+Mh5LxUDuGa4qxznrqZkh9iuRSFZR2SdhezDxyXxMwtv6D+irKVlskyc"
    "HZOhi+Hj8wWWQbWMM8PmS5VVBgc/l7Axk62/ZGxw6YvnodUSsQp8FWPbpnm4YGVSvibXf4"
    "JmEsiR4ZxyKWI29FMqCkXNyuDCjZNh3gN/P8eC7SSzRfOjynbGDuO/IGbClHgHZm012kl0"
    "1X0HQxEcxgmVgGqSWSAiRtUNWUoo0zLiQ38MmAtVgrjYpISNOQzrDKNwywVVewkPiPQa8r"
    "xjUplySEDc1F/0OmQXc2HESU2VvPMF2D0CP2vpfQZxlOqye35DyWUHxZBsnJzV/J4vufFl"
    "7/WkjJ4Vm0EVhg7xXkxhNikhdfzYtHreoNOfEKEo31BB+eaFxlcglcoC8gmaI1k80zRZtC"
    "DqqJIM82LVXHOpoaJua7OXOqh23/zEd8vr+NgDoqIplrWxE6Uxtn7/z61z0bFDTNgqYpSa"
    "FSkUKu4WZ5pGXMkqFAJczuuP/TSS7/p5MV/k8naf8n1puK7mcdlSkzzrUhixE2DRigXlG+"
    "LdFHNMeuypobsoj5lHPfkaTn5Vkuz8uzFZ6XZ8lquDdE1k8+z8tQttRVcXP5qYlsfToml7"
    "2L703G+f8ck5ubIVzbtgvX368GcP3TpHD92/D6qolm7twck+tW/8tl71u3ieaqc69bj2RM"
    "LgZfm0ijD2PC+KQmCsm2l/fgpMZ/sHL75Iq2+T037rIZrJhclbT7vzYaJyfvG29P3n04O3"
    "3//uzD24Wan360St8/73xmKn+sKtI2wHJizzucLSXK3IPWnDS2H1Ie05cKwJyUk2DnAPu5"
    "La2fnx0OcVvrmGwTRX/BnNHvfG0N200UXJRk3AfzwxOM+fkqaSm9xwr656g9al8WrRpfqo"
    "n8/6E6Wv1Bp/sZqsO/gMn5t1H3C78VXo1J+/q8fXnJby4ux6TTvWx/5zfDqzHpt1uXP5qI"
    "/zcmn1qdK/Y2//9yVLXtWMyEEVT2JzBRs49JWAgl6njKpHZVy2+PduW9vgLWy97o/KoNHb"
    "R90RkE3X/pScsfcht8ESYAtX0lWhMoSpLGheS6gCBGgHkGFcY1ISVDL5KwHoj3yvGBwKm6"
    "LhYfE5F9VEpERLbPJKBT1TA9h42N+toRnsk8yrzx7Kg7GN3c9PrD9qUy/HED2mLyDtNJbo"
    "Y/lE+gWDClJLwG/aXX749uhsGT6C+Q6V70f9ywPAK52O8xGfZ6ylWr/xkeLS5Bi4FnynVn"
    "4CtK0V++xHWr+0NpDYesFANfMnZrTL62L4a9vjKAP21l1G19BX2odc5KkPUEcu63uoNOuw"
    "tlh3ujPitT8taYgIbW5exKcLGOjrWLfcv8tjYHlQnm9HSTzXa8EoiWuKWW1gXLxCrFyvp7"
    "nonk9xJdVpKN5Q4uuExGj/4Jo0c9W1+z0uOScpusstS6oK+nAnrYlz2ttQHeUk5GCpengt"
    "P9WkYK78BPITps+s4oyu1T0e3mUpISXBmG/YJh2BnNegtIV32fv1RPXj/OnfOrm0YihzGf"
    "FcE7FX21paD2YeArUhWY9uEhyjFb4SUaYvq8p6gSuuo87y7KvLcgMUuEdf8sOWvKj3oIuP"
    "Mm0gz/TAj6Ch5NKXYp4udAIvhnIcNNe5JuK9Pc8cbSo7RUHqUHslBzQCuKMjB2j6ysjHCR"
    "ES4vrXEkFeESR7jEducRbaWS2L1nxY4qyZQ5NlZxZ4wwY/oF1CePUqE8cCU4Sfcjsh3jAd"
    "oDOxuTHWfFNtr2N7VmwcJYFyow28tWbnddglFola4io1+iYRe5ol8aK6JfGunoF7nmVbHV"
    "D3kY6ctz4/IMFsmGl0xFXY8Nl8fd7Pa4m4g67vtqbcjwXi89vioC9k7J3cWGnALDKLpZZ7"
    "ZRFN0YNN8hwqy1vKIIqgbgCJlX33BBr4O76h071dfBtqlqmIK18kZ8YvAGeQnZ24jDIO/6"
    "krktlTXk16jYHMpxPM1Cusy2UW1000SjGxYkzVxyL9f0x/2Qw1L6kGknfUhZSdZczIZlk7"
    "wREel8W5zmPSy7VLrlbccwlc6YVav1PM6YgdpR0GSOS0mrWZIQeyQhMqNyChvH1TPZ6gn7"
    "ON5RJevw4qzDLk3qsDkLLOpIS882qCMdK88CY7j+hywHDN/A9v0YLgSie4xttgJoOEufpn"
    "pw+q3H3sOXDU1oHURL74W1i/zlkmMJBvb6CiP7kNZGShLoVxGt5PDQPKzTitchgxanE49J"
    "azDogKHRHTbR4nIdamj72+FI/799EkPhPJtGPHtP95iQ3NB9daWssaG77Vhz2808pDB7t6"
    "KknNy3JLVdESAEuj1TKQrDK5SVECchDvRzZV4E27iQBDUJavDtlsCUz3bfiwntcSPAXY3D"
    "Cc0jlwPf8QoHvuO0A18whGZGdWSDnZasHOKneQA/zcb7NL1buGqajClRHKzSYngLRKuwMr"
    "hrxA9rJVB6qG5lITAabFCQLxCIytWM1asZydCODZn3ip4IXU8w8IKGtr7/nzxhOgP1nToA"
    "tjzdcC9mWLvn8c01wapFMkl91eqFyhIrWjz1s8sY32bYYSsFyCeQ/Rb1iiJtxlz3YIj045"
    "ZokwczmSp1ke14BOsIP/gne1AMdQh9ki83zFQ6S69l7OolGyxolJdqf36po5RDfH3FukZY"
    "e4IBZtWhHBGpKsV+7/lIDtZbipgKYfpKMMS73inVH6bWsA9ighV0GTsQe0DgIuYbBCmNtY"
    "hLQ96AoR7BQwv+7ClcqAwzy/aChbasibUfMs5ijDzNoX/hh9wHMrIoCgdrlsPOVVT5Es1H"
    "RCADBwUepXV+yiIbkJFmMX2f6UPOE/KHEa4LMYWJRV7c4imYSuJQjW2/ZEzGZMIEJsgAJc"
    "6a2x4LbL99QhPdmkPdHnEsjrh6N0Es0yBPi6lpQc51NLEd/GBYHlX8zF7D0zHhJbGm/kvj"
    "+iIHNygFiyZBBtFMD77MLxJ8nsWW6ye80BNQKUEv9H9DettkyuaDanqY1kHpdNHUNy7RPX"
    "4C1VNFmko1VWdvRdDaUXd0dYUeLc/Ux8TBj47hgvrJgYKPdazHAsddhpqMDGqReun+PBiO"
    "66hRRydHR0fo0XBn0PqTfSrvEYwvorj6o1UR1XUpsSvlda8U645113C4LDLSRGU2GG8OZh"
    "/5Ag5RwXTD4SjQZhNi1VuVOWnkaLgnjexjcxspn6dwYl8DZ2HTrQDK2x8eDJvZSOKj1rJh"
    "jktJnJ/H2cHc0btgc45LSZzznJzqqoZZyHUvIlIOxz322so47snF9aqSZ3GGNGLjFxnhUo"
    "KSkM4xykm2f4fglnfRsLxsv9xs6xD4873FaLbnt1jX4UMHrsoLlOLbEynqqzh3HKZV6CJx"
    "vp3tQ0Hk58oI57R/wgNmdAfN2Me+UBaMoP5mQLv0XKQy9rguIrinhkNd5FPNrnqPKU8EdT"
    "417jwH6/6r0GtG5yFihbmPieEyYpqx2jNWItdCDv4LL+GbI8RKa+iMq0+/UgaGlmUkrK8g"
    "qhmx+YAVXvtFCdGoXAVn+Z04tgdkUWG8k3LVs8t3AreD+VClaJ5DRUEb2QNKWnKnrPSBKF"
    "VxbF0DZo7ibTklKBtzrsYs95HKRv8wgwYEPEdqH6nymoZl8PrZhmEoHbDKbEBu5oCFHUOb"
    "1UTOV/6T+krHq2Wa52y/bLC2bAJlOo8I+7fAbSSomdK2pu2E7K5xUli2wvIiwaR701UaZ2"
    "c5dBVIlX0CB3uWcAGBTlUA4SB5BdHdiSYIb3SFO/eu2CxkKbL/FceX0QO2tra4kcaw6WT2"
    "6/8gTH5A"
)
