import { describe, expect, it } from "vitest";
import { connectionStringPasswords, maskConnectionString, redactSecrets } from "../../src/config/index.js";

describe("maskConnectionString", () => {
  it.each([
    ["postgresql://user:s3cret@host:5432/db", "postgresql://user:***@host:5432/db"],
    ["postgres://user:s3cret@host/db?sslmode=require", "postgres://user:***@host/db?sslmode=require"],
    ["redis://:s3cret@host", "redis://:***@host"],
    ["rediss://default:s3cret@cache.example.com:6380/0", "rediss://default:***@cache.example.com:6380/0"],
    // An unencoded @ or / in a hand-written password is masked whole.
    ["postgresql://user:p@ss/w0rd@host/db", "postgresql://user:***@host/db"],
    [
      "postgresql://host/db?user=u&password=s3cret&sslmode=x",
      "postgresql://host/db?user=u&password=***&sslmode=x",
    ],
    ["host=db user=u password=s3cret dbname=x", "host=db user=u password=*** dbname=x"],
    ["host=db password='s 3cret' dbname=x", "host=db password=*** dbname=x"],
  ])("%s", (input, expected) => {
    expect(maskConnectionString(input)).toBe(expected);
  });

  it.each([
    "postgresql://user@host:5432/db",
    "postgresql://host/db",
    "redis://localhost:6379",
    "not a url",
    "",
  ])("leaves %j without a password unchanged", (input) => {
    expect(maskConnectionString(input)).toBe(input);
  });
});

describe("connectionStringPasswords", () => {
  it("finds written and decoded forms", () => {
    expect(connectionStringPasswords("postgresql://u:p%40ss@h/db").sort()).toEqual(["p%40ss", "p@ss"]);
    expect(connectionStringPasswords("redis://:pw@h")).toEqual(["pw"]);
    expect(connectionStringPasswords("host=h password='a b'")).toEqual(["a b"]);
    expect(connectionStringPasswords("postgresql://u@h/db")).toEqual([]);
  });
});

describe("redactSecrets", () => {
  it("replaces every occurrence of every secret", () => {
    expect(redactSecrets("token abc and abc again, also xyz", ["abc", "xyz"])).toBe(
      "token *** and *** again, also ***",
    );
  });

  it("masks a secret containing another secret whole", () => {
    expect(redactSecrets("url=postgresql://u:pw@h/db", ["pw", "postgresql://u:pw@h/db"])).toBe("url=***");
  });

  it("masks the JSON-escaped and percent-encoded forms", () => {
    const secret = 'p"a@ss';
    expect(redactSecrets(JSON.stringify({ v: secret }), [secret])).toBe('{"v":"***"}');
    expect(redactSecrets(`postgresql://u:${encodeURIComponent(secret)}@h`, [secret])).toBe(
      "postgresql://u:***@h",
    );
  });

  it("treats regex characters literally and ignores empty secrets", () => {
    expect(redactSecrets("a.b a+b", ["a+b", ""])).toBe("a.b ***");
    expect(redactSecrets("unchanged", [])).toBe("unchanged");
  });
});
