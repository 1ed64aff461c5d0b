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
        DROP TABLE IF EXISTS "audit_event";
        DROP TABLE IF EXISTS "audit_checkpoint";"""


MODELS_STATE = (
    "eJztXW1v2zgS/iuEv7QL+ILGadKcezjAiZ3W18TO2XK33fVCUSQ6FiJTWr0k9e71v9+Qkm"
    "y9UI7kt8gCgTaWSQ4lPxyRMw+H5N+1malhwznq2w8K0f9SXN0ktSb6u0aUGYYLbn4d1RTL"
    "WubSBFe5N5iAmSx577i2orqQN1EMB0OShh3V1q3gXrUWcjFRiNtE+Anbc+Q52EYK0ZBmqt"
    "4MExfdY8MkDw5yTYR/QF3GHJkEH9HqoQzUr5OHjWvyiP6nh2XXfMDuFNtQ3+9/QLJONPwD"
    "O+FX61Ge6NjQYiDpGq2Apcvu3GJpo1G3fcVK0qe8l1XT8GZkWdqau1OTLIp7nq4dURma94"
    "AJthUXaxHQiGcYAcZhkv/EkODaHl48qrZM0PBE8QwKfe1fE4+oFHHE7kT/vP938GiRYrLc"
    "60vysCPJci3VUvQREpAHSapJaCvrxKVA/f3Tr3cJCEut0Rtcfm4N3p6c/cIgMB33wWaZDK"
    "7aTyaouIovykBfosw+UzhfThWbj3NYPoE0POg6GIcJS5CX6hzCFwK0A0hrM+WHbGDy4E7h"
    "a+PduxUYf20NGMxQiuFswvvnv5y9IKvh51G8l/iqNqZ4yIqbRrkNOa4+w3yk45IJvLVA9C"
    "i8OET04QdqfWLMg3drBfhS96YzlFo3t/R2M8f502D4taQOzWmw1Hki9e1Zop0WlaBfu9Jn"
    "RL+i3/q9TvKtWZSTfqvRZ1I815SJ+SwrWqQbCFND1H7SjmzyGHnJaMK9oj4+K7Ymx3KW6k"
    "E7UyetGReB2NWXATYWvX5CB4JRZARVHGDr/wz1PUxdasESnnCI2RCidlBNVWGCXBiaHYbC"
    "hlBdRqqqKlyKp+muDNbMxorVojV1niqmWrTjMhtmVlcWz0rCqk6x+miZOuEMeCG0fYIlE/"
    "7kBPgyVuULKAfd80GAPGvMEiDPFKI8sKek1VHhAIgBnsDwNJXMR8z1JWL5K30J2y8JNnlY"
    "9EVnApoKBWKIidWR45o21pDiIAVNFWf6EdmmyxoTPWJsgTMwxUidwi9G8A/cAXQ3UWa6Mb"
    "9Lexjbr164HSV3O1gzy7RlizgfcantuCAv4703B+TsfQ7/4+x9pvtBs+Leh/9OFFHopcQ2"
    "lTrdCe8T5U1UeIkl/mHpkLuGJxeXrKAndyCeW4hJynWLNjN4ZOt46xGxLTRwOY2YSrSvjZ"
    "9gFFmnieOSopXL3MqCdsu2OapFuyX6blsuZsBHRHZr8JTlVX7B4kmxmHF009BegaOmP5Av"
    "eM4A7sJzKETlzRFUk6+EZFt5XjiSUYWC3w6/GLu+V9MaXrbandrPbFq4EO9SkD9gqHN4g7"
    "A1svmCsNnzzDla2HbALX2emsgBpXDAOf+I7ny3jdKKUPAO3XszcOD90TSYU1RUFTuO7/wj"
    "3XE88P3v8QRUizcfuaO7CNKgBP1PfQVpgGeKbhThCxYClaMKGqd5uAIolT1XeZpiC2zTyJ"
    "gL7hBvlure48ZxILu/eeHaaNgZFFTgWqt90+01EfsYE1pDEy3qKdgGx2c5muA4aQ4tW4Bm"
    "xRvAUhzn2YSuvigxlhKs4PT8ca7p+eMV0/PH6el53ZFhSNOfOHp/YYJKKySjC4/KJcC+B8"
    "FdoR32OPvtsy/6/euYC3DRlRIgj24uOoA+wx4K6b7R0+1JCcBjo3Qa9C5xV1G/EbkE6Pkm"
    "h9bC/N2u1PuBPsE/GsfvP7w/Pzl7fw5F2FMuUj6saJM0tIfl8+517KyuyxuNDCzo+nJEhQ"
    "u82gVOxmFu6AonA0APE+IXXWKOohV1jaP8bWT6esPwjeSkeUXwFyFUIoRqx3BNMNbom7oZ"
    "UleRWqqC0i5JvMupRx5rHBbPz6ivovHURZEcPJ6N4dfjJyqLLB2rGJkTpCwj/gM7/CPSXQ"
    "fpGtIdpGEb3CGtjhwzEHcQobwb0jzL0FVoWh6Xt8M7cfi83xfdIS0Q8SaYFtX+EHxfmfi+"
    "4l7iq/iHu3Rctuwi+mqeH89FeYEmj8vAPziutgSpGRxGUL4S5NwqH7rzTYq5zyEF9/am9e"
    "2XmAt93e99CotH2KTL6/5FAmzwpWwO2pmquygvVJejuphwRrBMLIPSAkkOkhaYanJR5YwL"
    "rYVryYKHdgJrMS2NighI05BOsaLB/WRLcTmTS/8Z9nt8XJNySX5YV130P2Tozs66g4gxe+"
    "/phqsT54je7zXsWYrT6sEtOY4lDF9aQXJw82c3VNPjrZp5YU5kISW6Z47Sh/5eQW48ISZ4"
    "8dW8eNSr3pATryDRWE/w4QnlKlOY2AJ9DskUbZlsnimqCjmoJoI8yzAVDWtoohuYbSzBqB"
    "7ygB3W44PCcKmjIpJcKig5meNMlcbpmd/+mmeBgaaaoJqCFCoVKeTqblaUUsYoGQpUwu2O"
    "x8Sc5IqJOVkRE3OSjomhb1PRbUGiMmXGuSbRdaOGDh3UGwfRJ/6IZthVqLohkxjzVEeTLx"
    "rvNFc03umKaLzTZDM86jzvJ180Xihb6qa4bV81kaVNxqTdv/zWpJz/jzG5vZXg2rJcuP52"
    "PYTrH4YD15+lm+smmrozY0xuWoMv7f6vvSaaKfajZj6TMbkcfm0i1XkaE8onQecXkG2vH9"
    "Xn6H9h+X7uYt68ov6QzWDF5Kpk3f+z0Tg5+dB4d3J2fvr+w4fT83cLMz+dtcrev+h+oiZ/"
    "rCnSPsByYM/bnS0lyvwGrTlobH+ZccxeKgBzUk6AnQPsJ93R73VDdznruvONDvEa9hix3R"
    "98avW6v7Wkrs+hFBktorJNFP0GY8ag+7UldZoouChJvw/uh8fp8/M10lJ6jw3031Fn1GkX"
    "bRpfqon8T2iO1mDY7X2C5vAvYHD+POp9YUnh1Zh0bi467TZLXFyOSbfX7nxjieHVmAw6rf"
    "b3JmIfY3LV6l7Tu/mf5WhqyzapC8Np7CtwUbP46ohQoo0nVGpXrfzuaFcRzStgbfdHF9cd"
    "eEE7l91h8PovA2lZJvPBF6Hj0NrXvDmBoiRpXEjMC3DixmlkUGFcE1IiHD8J64FErxwfCJ"
    "yK6+KZxQtjzcQzKiL0MwnoRNENz6Z9o7b2qr9kHWuZKvvpXmuj3nB0e9sfSJ22LH2/BWsx"
    "mUJtklvpu3wFhgU1SsJrsF/6g8HoVgpyot9Apnc5+H5L6wjkYt/HROr35evW4BNkLS7Bio"
    "E8+aY79A2l6Ddf4qbV+y63JIk+xdCXjCWNydfOpdQfyEP405FHvdZXsIdaF/QJsnKg5kGr"
    "N+x2evDskDYa0GdKJo0JWGg9xq4EF+vYWLvYy8rXtRmYTDCmp1U2O/CKI1piTS1tCJaBFQ"
    "fL6++DxZPfyzY6JdlsrExry0KQKrSLjlhRuJ1NdCxtzUaPS4qtk8rS6px3PbWgh/6y+Vqb"
    "oi3lxJZo5Wng9HstVgrvIE4h2m36wSjy/bzoFmQpSQGuWIb9isuwM9R6C0hXfe+31Ju8/j"
    "p3xq9uuhI5XPNZEbxTq6+2tKhdCmJFqgLTPiJEGWYrokRDTF+OFJXDUJ2Xw0Vp9BYUpoWw"
    "xkJ86HJhuv1/wJ03kar75wQ4byBr4mDXQezoCAT/TaS76UjSbVWae72xiCgtVUTpgUzUHN"
    "CMolgYu0dWVqxwEStcXtviSBrCJV7hEtudh7eVSmL3nhU7qiRL5jmUdUoJM2pfQHuyVSoO"
    "W7iiEOcZ6vqILFt/An2gZ6nSI47YYatso2O6WBhrXANme9WKLZBL0AutslXE6hdxYKuY8x"
    "K7aJbflhLncgg2vMwm6npsuDgCZbdHoETMcT9Wa0OG92YZ8VURsHdK7i425OQ4RtHNOrOd"
    "oujGoPkOlqXa8sZB0DQAR8i8+o4LehukKg/0pFcbW4aiYge8lV/4p8huUBeXvY0EDLJXXz"
    "C3pfKG/Bblu0M5jixZSJfZN6qNbptodEsXSdOQ3Paa8bjnOTyl80w/6TzlJZkzPhuWTfJG"
    "RETwbXGa97D8UhGWtx3HVARjVq3V8wRjBmZHQZc5LiW8ZkFC7JGEyFyVU9g5rp7LVk/4x/"
    "EXVbAOr8467NKlDtWZ41FHND3boY68WHkmGMP5P2Ta4PgGvu/HcCIQPWJs0RlA3V7GNNWD"
    "E1E9eh82bWiAdhA1vRfWLuoXU44l6NjrK5zsQ5obKclCv4pYJYeH5mGdYLsOGbQ4sXZMWs"
    "NhFxyNntREi8t1qKHtb4cj4v/2SQyF42wa8ew93WNCYkP31Y2yxobulm3OLDfzkMLs3YqS"
    "cmLfktR2RYAQ2PbUpCgML1dWQJyEOLDP5VkRbONCAtQkqMFvNzmufHb4XkxojxsB7qof3s"
    "OR7oc1USIC+LYyTxKNxS7oTnFEBdm7muxNRr5vSExW9MDceoKg5Cja+uFR4gDeDNR3Gh/V"
    "8jTdvZxi9ZEt/6xxSN1kkfoqclehhWU1XvpFlvfXKbYpkYp8fs3XqDcOUqc0sgm6SH9Zh9"
    "Nkaz0MxXGRZXsEawg/+QcfOBjaEN5JxsZOFWeapnp3dZMN+N7yMpEvM8Gl7OLrK2jfsPU4"
    "HcyqMwsiUlVaGrvnEwvo21LETQjLV4JA2/VGkn43tYZ/EBOsYETNgfgDnAga3yFIWaxFZn"
    "zzrqfoEyyZ8GdPqynKMLJsby3Fli2xzlPGUXWR3Bz2F37KfV4dDTK3sWra9Ng5hTHYHxGB"
    "CmwUBNzV2SF0tENGqkntfWoP2XPkdyPMFqIGEw1Mv8cTcJX4kezbvsmYjMkdFbhDOhhx5s"
    "zy6Lrf+zm608wZtO0Rw+KImXd3iFYa1GlSMy2ouY7uLBs/6abnyH5lbyF3TNiTmBP/pnF7"
    "kYEbPAUNtkc6UQ0Pfpn/SPDzTDqbecce+g5MSrAL/e9Q3jKosfmkGB526mB0umjiO5foEc"
    "/B9FSQqjiqotG7ItB21BtdX6Nn0zO0MbHxs627YH4yoODH2uZzgdMAQ0tGxPwLu3R/E7zH"
    "ddSoo5OjoyP0rLtT0P7kO5X3hLpXMVz93qqI6bqU2JXxuleKdce2a9hdFulpojIb9DcHs8"
    "12gXiRYLhhcBTQ2YRYFZazJM4VbeRQ3JNG9qmijVRISDiwr4EzV3UrgPL2uwfdoj4S/ySq"
    "bJjjUgLnl3G2MYuDLajOcSmBc56DJV1FNwpFNkVEyhHXRG9bmbgmMbleVfIszpBGfPwiPV"
    "xKUBDSOXo5wfbvENzyThqWl+0XexEdAn++tyVsLWzr6rTG49n9nPpKjn1Z5iV6PRvYLa8S"
    "y+QJuW85hyEMWrG0MzfbCV5dY8/s7FEre9PsKgxcjdPTHCMXlMrei5LmJdg+eKkKIBwUry"
    "C6uwkUNonL3cNmxbKZpcj+ncvXsQW25kZuNDu/6WD28/+u2P0v"
)
