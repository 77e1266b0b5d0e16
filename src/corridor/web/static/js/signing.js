// Signing an agreement in the browser. The party's Ed25519 key is read from a file the user
// picks and used through WebCrypto: it never leaves the page, and the server only ever sees the
// signature, which it verifies against the party's registered public key.
import { t } from "./i18n.js";

/** The DER bytes of a PEM "PRIVATE KEY" (PKCS#8) block, as `corridor admin keygen` writes. */
export function pkcs8FromPem(text) {
  const match = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(text);
  if (!match) throw new Error(t("sign.not_pem"));
  const binary = atob(match[1].replace(/\s+/g, ""));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Hex Ed25519 signature of `bytes` (the agreement's canonical JSON) with the key in `file`. */
export async function signWithKeyFile(file, bytes) {
  if (!globalThis.crypto?.subtle) {
    throw new Error(t("sign.insecure", { command: "corridor admin sign" }));
  }
  let key;
  try {
    key = await crypto.subtle.importKey("pkcs8", pkcs8FromPem(await file.text()),
      { name: "Ed25519" }, false, ["sign"]);
  } catch (error) {
    throw new Error(t("sign.not_ed25519", { file: file.name, error: error.message }));
  }
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, bytes));
  return Array.from(signature, (b) => b.toString(16).padStart(2, "0")).join("");
}
