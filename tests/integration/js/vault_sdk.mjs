// Drives sealog-vault with the real @azure/keyvault-keys SDK, unmodified.
//
// Environment: VAULT_URL (https://127.0.0.1:PORT), VAULT_TOKEN (a vault
// token with every key permission), NODE_EXTRA_CA_CERTS (the vault's
// certificate). Prints one line per step; exits 0 only if every step held.
//
// The SDK does the Key Vault challenge dance itself: its first request is
// body-less and token-less, the vault answers 401 with WWW-Authenticate, and
// the SDK asks our credential for a token for the advertised scope.
import { KeyClient, CryptographyClient } from "@azure/keyvault-keys";
import { randomBytes } from "node:crypto";

const url = process.env.VAULT_URL;
const token = process.env.VAULT_TOKEN;
if (!url || !token) {
  console.error("VAULT_URL and VAULT_TOKEN are required");
  process.exit(2);
}

const scopes = new Set();
const credential = {
  async getToken(requested) {
    for (const s of [].concat(requested)) scopes.add(s);
    return { token, expiresOnTimestamp: Date.now() + 3600 * 1000 };
  },
};
// 127.0.0.1 can never end with "." + the resource host, so the challenge's
// resource check must be off (PROTOCOLS.md §4.5).
const options = { disableChallengeResourceVerification: true };

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

function same(a, b) {
  return Buffer.from(a).equals(Buffer.from(b));
}

async function expectKeyDisabled(promise, what) {
  try {
    await promise;
  } catch (e) {
    const inner = e.details?.error?.innerError?.code;
    check(e.statusCode === 403, `${what}: status ${e.statusCode}, expected 403`);
    check(inner === "KeyDisabled", `${what}: innererror ${inner}, expected KeyDisabled`);
    return `${e.statusCode} ${inner}`;
  }
  throw new Error(`${what} succeeded on a disabled key`);
}

async function main() {
  const keys = new KeyClient(url, credential, options);
  const name = `sdk-${randomBytes(4).toString("hex")}`;

  const key = await keys.createRsaKey(name, { keySize: 2048 });
  check(key.id.startsWith(`${url}/keys/${name}/`), `kid ${key.id} starts with the vault URL`);
  check(/^[0-9a-f]{32}$/.test(key.properties.version), "32-hex version id");
  check(key.key.n.length === 256 && key.key.e.length === 3, "2048-bit modulus, exponent");
  check(key.key.d === undefined, "no private exponent in the JWK");
  console.log(`created ${key.id}`);
  console.log(`scope requested: ${[...scopes].join(" ")}`);

  const fetched = await keys.getKey(name);
  check(fetched.id === key.id, "getKey returns the latest version");
  check(fetched.properties.recoveryLevel === "Recoverable", "recoveryLevel Recoverable");

  // Wrap with RSA-OAEP-256 (always remote) and unwrap (always remote).
  const crypto1 = new CryptographyClient(key.id, credential, options);
  const aek = randomBytes(32);
  const wrapped = await crypto1.wrapKey("RSA-OAEP-256", aek);
  check(wrapped.keyID === key.id, `wrap result kid ${wrapped.keyID}`);
  check(wrapped.result.length === 256, "wrapped value is one RSA block");
  const unwrapped = await crypto1.unwrapKey("RSA-OAEP-256", wrapped.result);
  check(same(unwrapped.result, aek), "RSA-OAEP-256 round trip");
  console.log("wrap/unwrap RSA-OAEP-256 ok");

  // The SDK wraps RSA-OAEP locally with the public key (Node's crypto);
  // the vault must unwrap what an independent implementation produced.
  const local = new CryptographyClient(key, credential, options);
  const wrappedLocal = await local.wrapKey("RSA-OAEP", aek);
  const unwrappedLocal = await local.unwrapKey("RSA-OAEP", wrappedLocal.result);
  check(same(unwrappedLocal.result, aek), "RSA-OAEP local wrap, vault unwrap");
  console.log("local RSA-OAEP wrap, vault unwrap ok");

  let versions = 0;
  for await (const v of keys.listPropertiesOfKeyVersions(name)) {
    check(v.name === name, "version item name");
    versions++;
  }
  check(versions === 1, `one version listed, got ${versions}`);
  console.log(`versions: ${versions}`);

  await keys.updateKeyProperties(name, key.properties.version, { enabled: false });
  const fresh = new CryptographyClient(key.id, credential, options);
  const refusal = await expectKeyDisabled(
    fresh.unwrapKey("RSA-OAEP-256", wrapped.result),
    "unwrap on a disabled key",
  );
  console.log(`disabled: unwrap refused ${refusal}`);

  await keys.updateKeyProperties(name, key.properties.version, { enabled: true });
  const again = await new CryptographyClient(key.id, credential, options).unwrapKey(
    "RSA-OAEP-256",
    wrapped.result,
  );
  check(same(again.result, aek), "unwrap after enable");
  console.log("enabled: unwrap ok");

  const rotated = await keys.createRsaKey(name, { keySize: 2048 });
  check(rotated.properties.version !== key.properties.version, "a new version");
  const latest = await keys.getKey(name);
  check(latest.id === rotated.id, "latest is the new version");
  const old = await new CryptographyClient(key.id, credential, options).unwrapKey(
    "RSA-OAEP-256",
    wrapped.result,
  );
  check(same(old.result, aek), "old version still unwraps its value");
  let after = 0;
  for await (const _ of keys.listPropertiesOfKeyVersions(name)) after++;
  check(after === 2, `two versions after rotation, got ${after}`);
  console.log(`rotated: ${rotated.properties.version}; old version unwraps ok`);

  let listed = false;
  for await (const p of keys.listPropertiesOfKeys()) listed ||= p.name === name;
  check(listed, "the key appears in listPropertiesOfKeys");
  console.log("vault_sdk: all steps passed");
}

main().catch((e) => {
  console.error(`vault_sdk: FAILED: ${e.message}`);
  if (e.details) console.error(JSON.stringify(e.details));
  process.exit(1);
});
