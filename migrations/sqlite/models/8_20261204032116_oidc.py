from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "oidc_provider" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "issuer" VARCHAR(500) NOT NULL,
    "client_id" VARCHAR(500) NOT NULL,
    "client_secret_encrypted" TEXT,
    "client_secret_env" VARCHAR(200),
    "allowed_domains" JSON NOT NULL,
    "groups_claim" VARCHAR(100) NOT NULL,
    "admin_groups" JSON NOT NULL,
    "verified_at" TIMESTAMP /* The first successful OIDC sign-in of the organisation. */,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "organization_id" CHAR(36) NOT NULL UNIQUE REFERENCES "organization" ("id") ON DELETE CASCADE
) /* The OpenID Connect provider an organisation's members may sign in with. */;
        ALTER TABLE "organization" ADD "password_sign_in" INT NOT NULL DEFAULT 1 /* False: members sign in through the OIDC provider only. */;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "organization" DROP COLUMN "password_sign_in";
        DROP TABLE IF EXISTS "oidc_provider";"""


MODELS_STATE = (
    "eJztXetzo7iy/1dU+TIzVd7UjJPMzPXculVO4uz6bGLn2s489vgUJiDHVLDgILDHZ+/+77"
    "clwOYhHPArmNWHmWBQC9GtR/evu6U/T6aWjk162jV07d6xZoaOnZMG+vOEqFMMF8LnNXSi"
    "2vbqKbvhqo8mJ7CgpGJHiz5S11E1Fx6OVZNiuKVjqjmG7RoWYSSDCUZdG5P2NbqyCMGai8"
    "IKkEqQ5TypxKAqK/6GoimePmIH/qoLRI0nggyC5oY7OWUv0y0N3maQpx3WOyRDwqrSTAMT"
    "F1GsOdhFBkUYnkJV1LUcrKO3I7+A4hdQMNGche1ifVRDN9ghQOMR/mr0jBcIrowZ1odk7F"
    "hTBBWFFcPDBhrp1lQ1yCm0lbiGuzj1H9LRO2g2YsIRvXAGr1KhtXBlOBaZsubOVMdgskEO"
    "VnWkugir2oR/4C8GefcF4Z8gG3OBLIKRNeYNcecW+zyK3VPUJAhDS0zkN2hIHrFpkSeKXM"
    "sniTNxxV8XTS3qQiOTX8I6yAhpE6w9U2S477jcPGL828OKaz1hxlOQ3j//BbcNYNhPTMOf"
    "9rMyNrCpx3qoobMK+H3FXdj83sND+/qGl2R94lHRLNObklVpe+FOLLIs7nmGfspo2LMnTL"
    "CjgtwiHZZ4phl08PCW32K44ToeXjZVX93Q8Vj1TNbtT/577BGNcQjxN7H/zv8naFqkmKJ0"
    "ugOl3xooyklqlLAmJDp4cEuzCBthBnEZo/78y693xRB+94S94Oq3Zu/t2cd3nAUgnSeHP+"
    "TsOvmLE6qu6pNypq+4zP+m+Hw1UR0xn8PyCU5DQzfhcXhjxeTVVBKyL2TQHlh6MlV/KiYm"
    "T+4Efn54/34Nj782e5zNUIrz2YK5z58ZO8Gjuv+M8TvSiyn1/PkyL4dXFBXk8UUuHl+s4f"
    "FFmsfBdCmaMLLZHCOSnC7E6eRKmOb7AP901/JdVMVGUghm5bIIYQ3PB63vA1bzlNJ/m1FW"
    "v71rfudSmC6CJ7fdzq9h8Yhorm67ly9IZLbBGIgTV0EK8aFQzzUU6muGQj09FFTTtOZYV3"
    "w1iKbZ/o9+tyNmu4A0wXTdAJ32/5BpUHdfE1FEeXn0DNOFhpyy972G/sJYtX5kJAdBQtFh"
    "FSRHxpNjeTZVNFM1pkUGRZLucGtD8Op9CeAA2o6qTw2irD4j94hI0MnhsPPhMAO7FF6mK6"
    "qblsw1cNM1plgsnQRpUjgB7Wl4UZrlggMFY8MBc5V6moYpHXsm6ravr0I7ObSMo9ZuCm8o"
    "vtC371r9QfPuPibE6+agxZ7UYyt9ePftx4Rgl5Wgb+3Bb4j9RH90O62krJflBn+csDapnm"
    "spxJorqh7lY3g7vBVXIhzMZLVB14hT7qBnlE6pZvBKl5iLoNceidiDAbZW6p6tbyj1OKWU"
    "elmkLhjsQetXUvenuv/wqU5oMmdjbALSwwJur2O3vYCuMQBz/BwB19iNR1V7nquOrqSeWH"
    "VLCMRFmZsWSpfggQX/ccG0oeUq0UQ4XAjrJyo7RlGs7q7e76jzJVIs6o5wAd+PXV/Fb/av"
    "mtetk79iAonznz2a1qfJOypRn/h3sxay9oj4KnKnJPi+xp2SLPmiN6WJXExU4jYQBoVsgT"
    "zK3R06Ao563CUQgfAj6P8XZLgUNa/v2h2O/aOJNYdbQErn2KFp98q+XsT8LSO6oC6eMkfS"
    "1HZHqMN8DVMMRdAlVjXua7DmzEcD7fG4Pk6/oJFfXIHmULgzQprlQWfhqps2UckTpkMSqH"
    "J+UfT2PQiPtT8ooL+r8W8YRUV0H7TiGWObBl8bvAPa4eKfLjR65LdfoZbngA4Za7Pv3nGA"
    "BsqPLlvNq25HaXb631o9pd996F21+qNTNAqGiDIzqPFomIa7GDFHjAqVB16U1ZPTr5FCM9"
    "Vk/V71G9NAKmJ2a4t4Uz4RoLnlwf/+F/LG8H78BrgR6Tw1NJ8Y2gSpoMbDH1d9xhSNLeaw"
    "CigJxjoIH25MjSdnpQVL700J1pea9N68GsgnDaOqqch5DKPYGlXEt5EirAKWfmiPRnytT7"
    "O/TTK4nyZMsJ+pknsaaO/3NcqeWAt+qX84/3T++ezj+Wcowlu5vPNpjXzanUESoI3pMgWY"
    "mybciLkl69u7Zm9a0SuyOoupD+h/6PZ+bXbafzQHbR+APoAX4mMeJ0RyLYj4ID4ml2xbpX"
    "RugaHHIF7FEEwgl5ZlgvaeMYkIyBMSeAT6fYkg1FILgNw3rJLGMswtDHFzJ47lPU24VcAh"
    "72UIlwWL9vYg92W3exub+y/bycn94e6yBdLjwoNChm+W+6OmAGqSXBoE09ZlQHjzew+bS5"
    "v6ZWzkfrlSH5n2lYWRxAFeME23ZNYDxcdoGuRiTwhnbMmi66CaqrIJnjKVinNhS1ZdRaqq"
    "KrtUTzdcBc+271hNVlNrVrGulcbA18CzEXg8GX4u5muIk+dYBhKR78eluBboijwi27YC/X"
    "xbtvFOeRWrsoKcY7qUziBRhbrwZbtgXCussh/WWBG+beFCCdSvFxwpKyUtnzslgr+87FUB"
    "2YWQPwsGSaeP+JhO4FaooWdsuxw8Z/VyzDzLjbKzmpnfpEmCn8zPkPSGMN75vgjmJWAul7"
    "lK0bJ7rbJoBHj+P1OeqBA/+ZeE+ssE9RfHw14FCDsisIYNliLobli+xKDuCfNNNhDTpphz"
    "NtOluoMYt70EswdOk0cBbJY9o8SptphZyrnibjSPSBfW39uFVd4or6MdVCnEMm/s1o3lYO"
    "OJ/I4XB4reKgeL9xS/9UJA3e5ivXp4DB1gMrCesTDWK/Z8rXHi+CVB7w6L5jJLAjLEyWph"
    "Ojpo9iqaqHTyBTmWy5kXxC8F0VAGh/9ZjNJorE4NczES2ya7rV6GCpVgilpnP3AxK0yyRV"
    "yScarduCJfNbg07n78eJ7D/fjxPNP9yB7F1S1/TBTp0CuK/S6zxxFNHUPhftoGPN1AdY1T"
    "VlB1PRJVNVf2kUc3S0Khx5eR9reUr4NnsIpsIuI4pZRymaUscYZsnaO6OAMLMSmIL0RIJK"
    "6wHlfwqMjXXRhPqFgQTy2BI0Q6VJnwA851AW4QSiMbLwjFnicnzMYOBbN0PrF45B8F4/wL"
    "Gvlm29JB+OhNwYD3V9MgzUnl+fC+8Y/4llM6esRj6FqihLA9vUWCBiWYf2prQAO+RWARvG"
    "BJUDmooH6RByuAUtn5RRcptMCxzIz8rWWOX3R6jyvHAe0B48Mf+q1ewQ58wvNBG35a6JCw"
    "GhpoWU95osWLAmMpwgqm1O1pQ0QFljRjJgqqWheYH6MrdUT+LubsLaPrY2EO0VU6zfTM8J"
    "EUncymSrL2uGzeg66d1TV5TZW6imk9GWQDuaeIJahVZlBLhlHIMIqywx87CKOIYvWRUIUt"
    "81eSARIV4b/MIZM5ZHtm1xhjnY3U7Th1E6mlKlzaJ2B7NfHI84kAsfUf1NZBttqySA7M1s"
    "Hw9XjGT++wDazxAzrU1fZagc3l76dl6GyrqOBUkRqiVkBOg+2tdM82DQ1EK8Jt9/gmYS6J"
    "HpnHIpYj70UyoaRc2K5MKNk1HOB38/z8XJaX3Hzt9JyyMfPQmTdgSzkCbmd23WV52XUFXR"
    "cTwQqWycugtOSkgJM2qGpK0c4ZJ5L7VGWwtVgvjZJIlqZZOsEq3zDAVl2BIzH76IsknTz6"
    "Yv3itsHRF74ni+8ZXNj/taSS07Nov7vA3iuIjSfIJC6+HhePWtVbYuIVBBprCTw80bnKFB"
    "K45L4AZIpKJhtninaFHFATQZ5tWqqOdTQ2TMx3QOdQD9sync/4fH8bAXRUhDLXtiJ0otYv"
    "Pvry1z0bFDTNgq4pQaFSgUKu4WZFpGWskiFBJczuePzTWa74p7M18U9n6fgnNpqKbtsepS"
    "kzn09Wx2m/oXxboi9oil2Vdbci244mIy8vckVeXqyJvLxIiuHZEFk/+SIvQ9pSi+L++qaB"
    "bH08JNfdq+8Nhvn/HJL7+wFc27YL199v+3D906Rw/dvg7raBJu7UHJK7Zu/36+63TgNNVe"
    "dZt+ZkSK76XxtIo7MhYXhSA4Vg2+tHcFLjP1h5XLii3awvjadsBCtGVyXt/r/q9bOzT/X3"
    "Zx8/X5x/+nTx+f1SzU8/WqfvX7Z/ZSp/TBRpG2C1sOedzlYUZR5BGy4au08pj+lLBdicpJ"
    "PMzsHsl3Zuf3l1OMbd22O0DRT9BWtGr/21OWg1UHBRknkfzA9PMOfnE9KK+oAC+t+H1kPr"
    "uqhofKoG8v+COJq9frvzK4jDv4DF+beHzu/8Vng1JK27y9b1Nb+5vBySdue69Z3fDK+GpN"
    "dqXv9oIP5nSG6a7Vv2Nv9vOURtOxYzYQTCvgETNfs0kCVRQsZjRrUvKb8/3Vf0+hq2Xncf"
    "Lm9bMEBbV+1+MPxXkbT8IbfBl2kCIO1bkU+gKEgaJ5J+AUGOAIsMKszXBJVMvUiy9UiiVz"
    "4cCTtV18XiozWyTwSKkMj+mWToWDVMz2Fzo75xhmeyjjJvPPvQ6T/c33d7g9a1MvhxD9pi"
    "8g7TSe4HP5QbUCyYUhJeg/7S7fUe7gfBk+gvoOlc9X7cszoCutjvIRl0u8pts/crPFpegh"
    "YDz5S7dt9XlKK/fIq7ZueH0hwMWCv6PmXs1pB8bV0Nuj2lD/+1lIdO8yvoQ81L1oKsJ1Bz"
    "r9npt1sdaDvce+ixNiVvDQloaB2OrgQXm+hY+9i3zO9rU1CZYE1Pd9nswCsBaYl7amlDsE"
    "ysUqxsvueZiP4g2WUl2Vju6JLLZPbo3zB71LP1DYUep5TbZJVF6oKxnkroYV+22GgDvBWd"
    "zBQuj4DT41pmCu8hTiE6bfrBKMrjouh2cylKyVyZhv2KadgZ3XoHnK76Pn+pkbx5njvHV7"
    "fNRA5zPivC71T21Y6S2gdBrEhV2HSICFHOszVRoiFPX44UVcJQnZfDRVn0FhRmhbDunyVn"
    "jflRDwF23kCa4Z8JQd/AozHFLkX8HEgE/yxkuOlI0l1VmjvfWEaUliqi9EgcNUfkUZSJsQ"
    "dEZWWGi8xweW2NI6kIlzjDJbY7j2grlcTuPWt2VEmWzLGxijthgBnTL0CePEuF8sSV4CTd"
    "L8h2jBn0B3Y2JjvOim207W9qzZKFsS5UYHZXrdzuugSz0DpdRWa/RNMucmW/1Ndkv9TT2S"
    "/S51Ux74c8jPT1sXF5BotEw0umom6GhsvjbvZ73E1EHfdjtbZEeO9WEV8VYfZewd3lhpwC"
    "wyi6WWe2URTdGDTfIcKst7yhCEQD7AiRV99wQW+Du+oTO9XXwbapapiCtfJOfGLwFnUJ0d"
    "tIwCAf+hK5LZU15EtUbA7lOJ5mSV1m2+jk4b6BHu5ZkjQLyb3eMB73cw5L6XOmnfQ5ZSVZ"
    "UzEalg3yRkhk8G1xmPe47FIZlrcbw1QGY1ZN6nmCMQO1o6DJHKeSVrMEIQ4IQmRm5RQ2jq"
    "tnstUS9nF8oErU4dVRh32a1GF3FljUkZ6ebVBHBlYeB2Po/0OWA4ZvYPt+CR2B6Bljm3kA"
    "DWcV01QLTr/12Hu429CE3kG09F5Y+6hfuhxLMLHX1hjZx+QbKUmiX0W0kuPj5nGdVrwJGL"
    "Q8nXhImv1+GwyNzqCBlpebQEO73w5Hxv8dEhgK19k0x7P3dI8RyQ3d1wtlgw3dbcea2m7m"
    "IYXZuxUl6eS+JantioBDoNszlaIwe4W0ksVJFgf6uTItwts4kWRqkqnBt1sCUz47fC9GdM"
    "CNAPc1Dyc0j1wBfB/WBPB9SAfwBVNoZlZHNrPTlJXj+Hkehp9n8/s8vVu4apoMKVEcrNJi"
    "/BaQVsEzuG+OH5cnUEao7sQRGE02KIgXCEilN2O9NyOZ2rEl8l7RE6FrCQRe0NE2j/+TJ0"
    "xncH2vAYBNTzfcqwnWnnl+84nAa5EsUlvnvVBZYUWLl37RjfFtgh3mKUA+gOz3qDcUaRMW"
    "ugdTpJ+3RBs8mclUqYtsxyNYR3jmn+xBMcgQxiR3N0xUOkn7Mvb1ki0cGuWF2l92dZRyiq"
    "+t8WuE0hNMMOsO5YhQVSn3+8BHcrDRUsRUCMtXAiHe906p/jS1gX0QI6xgyNiR2AOCEDHf"
    "IEhprEVCGvImDHUJHljw34HShcqwsuwuWWjHmlhrlnEWY+RpDv0Lz3IfyMiyKBysWQ47V1"
    "HlLpoviEAFDgoiSmv8lEU2ISPNYvo+04ecBfKnEa4LMYWJZV484jGYSuJUjV2/ZEiGZMQI"
    "RsgAJc6a2h5LbH9coJFuTUG2p5wXp1y9GyFWaVCnxdS0oOYaGtkOnhmWRxW/srfwdEh4S6"
    "yx/9K4vsiZG7SCZZMgg2imB1/mNwk+z2Lu+hFv9AhUStAL/d9Q3jaZsjlTTQ/TGiidLhr7"
    "xiV6xgtQPVWkqVRTdfZWBL0ddR5ub9Hc8kx9SBw8dwwX1E/OKPhYx5oXOO4y1GRkUovUSw"
    "8XwfChhuo1dHZ6eormhjuB3p8cU3mPYHwVxdWfrYqoriuKfSmvB4VY96y7htNlkZkmSrPF"
    "fHM0+8gXCIgKlhvOjgJ9NkFWPa/MWT1Hxz2rZx+bW0/FPIUL+wZ8FnbdCnB599ODYTMbSX"
    "zUWjab41SSzy/z2cE80Ltgd45TST7nOTnVVQ2zUOhehKQcgXvstZUJ3JPO9aqCZ3GENGLj"
    "F5nhUoQSkM4xy0m0f4/MLa/TsLxov9xs6xjw84PlaLamj1jX4UP7rsoblMLbEyVq6zB3HJ"
    "ZV6LJwvp3tQ0Lk18oA53R8wgwzuINm7GNfqAoGUH8zoF96LlIZelwTAdxjw6Eu8qFmV33G"
    "lBcCmY+NJ8/Buv8q9JbBeYhYYe1DYrgMmGao9oS1yLWQg3/hLXx3ilhrDZ1h9elXysTQss"
    "yEtTVANQM2Z1jh0i8KiEbpKrjK7yWwPQCLCvM7SVc9u3wv7HYwn6oUzXOoKGkje0JJU+4V"
    "lT4SpSrOW9eAlaN4X04Rys6cqzPLfaSyuX+cSQMCnCO1j1R5TcMyRP3swjCUAVhlNiC3C8"
    "DCjqFNTkTBV/6T2trAq1WZl2y/bGbt2ATKDB4Rjm9B2EggmdL2pt2k7G5wUli2wvIqyaQH"
    "01XqFxc5dBUolX0CB3uWCAGBQVWAw0HxCnJ3L5ogvNEV7ty7ZrOQFcnhPY6vowfszLe4lc"
    "aw7WL21/8DKibJGA=="
)
