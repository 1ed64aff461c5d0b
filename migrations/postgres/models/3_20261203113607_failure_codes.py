from tortoise import BaseDBAsyncClient

# Failure codes become an enum: every FAILED row gets one of its values (a missing stored
# file was DOCUMENT_REJECTED; anything else unknown is UNKNOWN).

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        UPDATE "document" SET "failure_code" = 'FILE_MISSING' WHERE "failure_code" = 'DOCUMENT_REJECTED';
        UPDATE "document" SET "failure_code" = 'UNKNOWN'
            WHERE "status" = 'FAILED' AND ("failure_code" IS NULL OR "failure_code" NOT IN ('UNSUPPORTED_TYPE', 'EMPTY_FILE', 'CORRUPT_FILE', 'ENCRYPTED_FILE', 'TOO_LARGE', 'FILE_MISSING', 'TOO_MANY_ATTEMPTS', 'VECTOR_STORE_UNAVAILABLE', 'TRANSIENT_FAILURE', 'UNKNOWN'));
        UPDATE "document" SET "failure_code" = NULL
            WHERE "status" <> 'FAILED' AND "failure_code" NOT IN ('UNSUPPORTED_TYPE', 'EMPTY_FILE', 'CORRUPT_FILE', 'ENCRYPTED_FILE', 'TOO_LARGE', 'FILE_MISSING', 'TOO_MANY_ATTEMPTS', 'VECTOR_STORE_UNAVAILABLE', 'TRANSIENT_FAILURE', 'UNKNOWN');
        ALTER TABLE "document" ALTER COLUMN "failure_code" TYPE VARCHAR(64) USING "failure_code"::VARCHAR(64);
        COMMENT ON COLUMN "document"."failure_code" IS 'UNSUPPORTED_TYPE: UNSUPPORTED_TYPE\nEMPTY_FILE: EMPTY_FILE\nCORRUPT_FILE: CORRUPT_FILE\nENCRYPTED_FILE: ENCRYPTED_FILE\nTOO_LARGE: TOO_LARGE\nFILE_MISSING: FILE_MISSING\nTOO_MANY_ATTEMPTS: TOO_MANY_ATTEMPTS\nVECTOR_STORE_UNAVAILABLE: VECTOR_STORE_UNAVAILABLE\nTRANSIENT_FAILURE: TRANSIENT_FAILURE\nUNKNOWN: UNKNOWN';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        UPDATE "document" SET "failure_code" = 'DOCUMENT_REJECTED' WHERE "failure_code" = 'FILE_MISSING';
        UPDATE "document" SET "failure_code" = NULL WHERE "status" <> 'FAILED';
        ALTER TABLE "document" ALTER COLUMN "failure_code" TYPE VARCHAR(64) USING "failure_code"::VARCHAR(64);
        COMMENT ON COLUMN "document"."failure_code" IS NULL;"""


MODELS_STATE = (
    "eJztXftz4jgS/ldU/LIzVblU3pNjrq7KCWSGmwQ4MLMzs2x5HCzAFSN7bZOEncv/fi0/8E"
    "t2bMDEUKranRhJLczXenR/akm/ajNdwZp12DEnMlH/lm1VJ7U6+lUj8gzDAzP/ANVkwwhy"
    "aYIt32uOgB4veW/ZpjyyIW8saxaGJAVbI1M1vO+qCcjGRCZ2HeFHbC7Q3MImkomCFH00n2"
    "Fio3us6WRiIVtH+Bnq0hZIJ/iQVg9loH6VTNauaU7Uv+ZYsvUJtqfYhPr++BOSVaLgZ2z5"
    "H40HaaxiTYmApCq0AiddsheGkzYYtBo3Tkn6lvfSSNfmMxKUNhb2VCfL4vO5qhxSGZo3wQ"
    "Sbso2VEGhkrmkexn6S+8aQYJtzvHxVJUhQ8FieaxT62r/GczKiiCPnm+g/Z//2Xi1UTJLa"
    "HVHqN0VJqiU0RV8hBrmXNNIJ1bJKbArUrxe33gAQJ7VGv+D6s9B7d3rx3oFAt+yJ6WQ6cN"
    "VeHEHZll1RB/QAZedvAufrqWyycfbLx5CGF10FYz8hADlozj58PkAlQFqbyc+ShsnEnsLH"
    "k6OjDIy/Cj0HZijl4KxD/3M7Z9vLOnHzKN4BviMTUzwk2U6i3IAcW51hNtJRyRjeiid66D"
    "/sIvrwA5UO0RZe38oAX2zdNfuicNelXzezrL80Bz9BbNKcEyd1EUt9dxHT07IS9HtL/Izo"
    "R/Sj027Ge82ynPijRt9Jntu6RPQnSVZCw4Cf6qP2Qgey8UOok9GEe3n08CSbihTJCZoHHU"
    "ytZMu48sRuvvSwthz1Y23Am0UGUMUOav/Fb+9+atAKAnj8KWZNiBpeNfsKE+TC1Gw5KKwJ"
    "1XWoqn2Ci3ZG/URP657JrNnJLJ4iE3ni/CT63fSbPMx6eAxDx1TUHzDTzovkZ9p5plsS7C"
    "W/6KuGXodg5IkhR+wAWbZuYgXJFpLRVLamH5Gp245G0QPGBhhqU4xGU4AHwX9gqqGfY3mm"
    "aoufSetv89Vzk7DiJqGjZolqtohhGJXajHn4Ot5bMw4vznLYhhdnqaYhzYpahm6fKNKgA4"
    "lNNurkiL1NlNdpwgGW+NlQIXcFKzsquYdW9o5Y1T4mCbM6rGawllfxpEJiG1Cw1zu4fjev"
    "XxM/wiyyioqjklzLVdYyp0TSbY79okRiY7cpFTPgQyLlGjxV6cqvWDwJhimKbhLaG3DU1A"
    "n5ghcOwC14D5mMWPztfnJJkGzKT0tHMtyg4LfDL8a269UI/Wuh0ay9pFN2ZfIHDuoM3sDX"
    "Rjpf4Ks9z3qQgU0L3NKnqY4saBQWOOcf0U/XbaOUDxT8ie7nM3Dg3dnUW++RRyNsWa7zj1"
    "TLmoPvf4/H0LRYa0UlfQsnDSow/hxkkAZ4JqtaEb5gKbB3VMHJeR6uAEqlryOdJ9gCU9dS"
    "1umaZD5LDO9R49iT3d6aXW3Qb/YKNuCa0LhrtevI+TMktIY6WtZTUAfHFzlUcBw3hwIN0K"
    "yoAgzZsp50GOqLEmMJwT1cOj3OtXR6nLF0epxcOlUtCaY09ZHR7q90aNIySRnCw3IxsO9B"
    "sCy0/RFnu2P2VadzG3EBrlpiDOTB3VUT0Hewh0Kqa/S02mIM8MgsnQS9Rews6jckFwNdLW"
    "/l7ais5j2hb/CPk+OzD2eXpxdnl1DEectlyocMnSSh3S2fd6tz5/66vOGorYKuL0OUu8DZ"
    "LnA8Rm5NVzgenLebEL/qEjMaWlHXOMzfhpav1wxEiC+a7wn+PLyFh7eUDNcYY4X21PWQug"
    "nVsi8olUniXU/n5KHGYPHcjIMsGm+0LJKDxzMx/Hr8SGWRoeIRRvoYyUE0tmeHf0SqbSFV"
    "QaqFFGyCO6QcIEv3xC1EKO+GlLmhqSNQLYvLK/GbGHzeH8vhkBYIeRNOK6r9yfm+KvF9xb"
    "3EN/EPy3RcNuwius08P57L8hxNFpeBnxmutgipKRyGV34vyLksH7r5TYy4zz4F9+5O+PY+"
    "4kLfdtqf/OIhNun6tnMVAxt8KZOBdmrTXZbnTZfRdDFhzGCpWHqlOZIMJA0w1aSijTMqtB"
    "KuFQseKgXWYq00LMIhTUI6xbIC3ycZss1YXPpPv9Nm4xqXi/PD6shG/0OaapU2HISM2fu5"
    "qtkqsQ7p972FPUtxyp7c4vNYzPClFcQnN3d1Y6TPSZFRJCbFh2dGo/f9vYLceEyM8+LZvH"
    "jYq16TE99DovEgxofHGleVwsSW6DNIprBm0nmmcFPIQTURNDc0XVawgsaqhp1N/w7VQybY"
    "ckZ8aDBM6qiIJJMKii/mWFP55PzC1b8yN8BAG+nQNDkpVClSyFbttCillFnSF9gLtzsaE3"
    "OaKybmNCMm5jQZE0N7U9EjG8IyVca5JtJ9o5oKA9RvFqJv/BHNsC3T5oZ0oi0SA02+aLzz"
    "XNF45xnReOdxNTyoLO8nXzSeL1tpVXQbN3VkKOMhaXSuv9Up5/88JN2uCM+GYcPzt9s+PD"
    "9rFjx/Fu9u62hqz7QhuRN6Xxqd39t1NJPNB0V/IkNy3f9aRyPrcUgonwSDn0e2vX1Un6X+"
    "jaX7hY1Z64rqJJ3Bisjtk3X/z5OT09MPJ0enF5fnZx8+nF8eLc38ZFaWvX/V+kRN/ogqkj"
    "5AMLHnHc4CiSr3oBUnjc1vM47YSwVgjstxsHOA/aha6r2qqTZjX3e+2SFawxYjtju9T0K7"
    "9UMQWy6HUmS2CMvWUfgTzBm91ldBbNaR91CRcR/cjzljzM+npEB6iwr676A5aDaKqsaVqi"
    "P3L6hD6PVb7U+gDvcBJufPg/YXJ8l/GpLm3VWz0XASl49D0mo3mt+cRP9pSHpNofG9jpw/"
    "Q3IjtG7pt7l/q6Fqw9SpC8NQ9g24qGl8dUgopuMxlSpLy0eHZUU0Z8Da6AyubpvQQZvXrb"
    "7X/YNAWifT8cGXoeOg7VvWmkBRkjQqxNcFGHHjNDKoMK4xKR6OH4d1R6JXjncETtm28cxg"
    "hbGm4hkW4e0zDuhYVrW5ScdGZeVdf/E6VjJVtjO81gbt/qDb7fTEZkMSv3fBWoynUJukK3"
    "6XbsCwoEaJ/wz2S6fXG3RFLyf8CWTa173vXVqHJxf5PCRipyPdCr1PkLV8BCsG8qS7Vt81"
    "lMKfXIk7of1dEkSRvkXflYwkDcnX5rXY6Ul9+KcpDdrCV7CHhCv6Bmk5UHNPaPdbzTa8O6"
    "QNevSd4klDAhZa22FXvIdVbKwyzrJy29oMTCaY05NNNj3wiiFa4ZZa2RAsDcsWllY/B4sl"
    "v5VjdCpy2FiV9pb5IO3RKTp8R+FmDtExlBWVHpXkRydVReuMvp7Y0EN/2WKlQ9ECOX4kWn"
    "UUnOzXfKdwCXEK4WHTDUaR7hdFjyBLSHJw+TbsN9yGndKsN4D0vp/9lujJq+9zd/jVdXci"
    "+3s+9wTvxO6rDW1qF71YkX2BaRsRog5mGVGiPqavR4pKfqjO6+GiNHoLCtNCWHFCfOh2YX"
    "r8v8ed19FIde8JsH6DrLGFbQsZOmCD4H8dqXYyknRTlebeb8wjSisVUbojCzU7tKLIN8Zu"
    "kZXlO1z4Dpe3tjjihnCFd7hETudhHaUSO70n40SVeMk8F2ZOKWFG7QvQp7NLxXI2rsjEeo"
    "K6PiLDVB+hPdB7LukVR85FmM5Bx3SzMFaYBszmquVHIFdgFMqyVfjuF36ZJl/z4qdoVt+W"
    "4vdycDa8yibqamw4vwKl3CtQQua4G6u1JsN7F0R87QnYpZK7ywM5GY5R+LDOdKcofDBovo"
    "tlaWv5zUKgGoDDZ15dxwW981LlCb3p1cSGJo+wBd7Ke/YtsmvUxWRvQwGDTtfnzG2lvCFX"
    "o2x3KMeVJUvpKvtGtUG3jgZdukmahuQ2VozHvczhKV2m+kmXCS9Jn7HZsHSSNyTCg2+L07"
    "y75ZfysLzNOKY8GHPftJ4nGNMzOwq6zFEp7jVzEmKLJETqrpzCzvH+uWwHMf842lE56/Dm"
    "rEOZLrXfnBkedailpzvUoY6VZ4HRX/9DugmOr+f7fvQXAtEDxgZdAVTNIKbpwLsRdU6/x1"
    "k21KB1kFHyLKwy6udLjhUY2A8ynOxdWhupyEa/PbFKdg/N3brBdhUyaHlj7ZAI/X4LHI22"
    "WEfLx1Wooc0fh8Pj/7ZJDPnzbBLx9DPdI0L8QPdspaxwoLth6jPDTr2kMP20orgcP7ckcV"
    "wRIAS2PTUpCsPLlOUQxyH27HNpVgTbqBAHNQ6q99t1hiufHr4XEdriQYBljcNbuNJ9txZK"
    "eADfRtZJwrHYBd0phigne7PJ3njk+5rE5J5emHsQIygZDW318Ch+AW8K6qXGRwnYVEfTGo"
    "PL9XIOsqhcOSjzGpObDsOG+dL0qz9z3qPmtfT1eNIyJ72NmHEr7B5NN+rSt4/uJuOxhcsw"
    "aKcqgLBXfA/RLcdk1onNjObKIJACke3TR29jL22MKEpYVttcmXz5PzgggjA="
)
