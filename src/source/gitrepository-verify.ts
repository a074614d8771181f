/**
 * `spec.verify`: the OpenPGP signatures of the checked-out commit and/or the tag it was reached
 * through, as source-controller's `verifySignature` checks them (flux-compat §1.5 step 6), before
 * any artifact is written: an unverified revision never becomes an artifact.
 *
 * Keys come from the Secret `spec.verify.secretRef`: `*.asc` entries (and, as in Flux, any entry
 * without the `.sshpub` suffix) are armored OpenPGP key rings. SSH signatures (`*.sshpub` keys)
 * are not supported by mooring and fail with a message saying so.
 */
import { ConditionType, gitVerificationMode, Reason } from "../api/index.js";
import { deleteCondition, isFalse, markFalse, markTrue } from "../runtime/conditions.js";
import { GenericError, type ReconcileError, StallingError } from "../runtime/errors.js";
import type { RawObjects, ResolvedRef } from "./git-client.js";
import {
  parseSignedCommit,
  parseSignedTag,
  signatureType,
  type SignedObject,
  verifyPGP,
} from "./git-signature.js";
import { withoutStatus, withStatus, type GitRepositoryDeps, type RunState } from "./gitrepository-state.js";

const PGP_SUFFIX = ".asc";
const SSH_SUFFIX = ".sshpub";

/** What is being verified, for messages and reasons. */
interface Subject {
  readonly what: "commit" | "tag";
  readonly shown: string;
  readonly signed: SignedObject;
}

/** Removes a failed verification left by the previous run (Flux recomputes it every time). */
export function clearFailedVerification(s: RunState): void {
  if (isFalse(s.obj, ConditionType.SourceVerified))
    s.obj = deleteCondition(s.obj, ConditionType.SourceVerified);
}

function fail(s: RunState, error: ReconcileError): never {
  const detail = { reason: error.reason, message: error.message, now: s.ctx.now() };
  s.obj = markFalse(s.obj, ConditionType.SourceVerified, detail);
  throw error;
}

/** The trusted OpenPGP key rings of the Secret (every entry not ending in `.sshpub`). */
async function keyRings(deps: GitRepositoryDeps, s: RunState, secretName: string): Promise<string[]> {
  const namespace = s.obj.metadata.namespace ?? "";
  const data = await deps.client.getSecretData({ namespace, name: secretName });
  if (data === undefined) {
    const message = `public keys secret error: secrets "${secretName}" not found`;
    fail(s, new GenericError(Reason.VerificationError, message));
  }
  return Object.entries(data)
    .filter(([key]) => key.endsWith(PGP_SUFFIX) || !key.endsWith(SSH_SUFFIX))
    .map(([, value]) => value);
}

/** Flux's `verifyGitObject`: the signature's armor picks the method; returns the key ID. */
async function verifyObject(subject: Subject, rings: readonly string[]): Promise<string> {
  const type = signatureType(subject.signed.signature);
  if (type === "ssh") {
    throw new Error(
      "SSH signature detected, but SSH signature verification is not supported by mooring: sign with an OpenPGP (gpg) key and list its public key under a '.asc' key of the verify Secret",
    );
  }
  if (type !== "openpgp") throw new Error(`unsupported signature type: ${type}`);
  if (rings.length === 0) {
    throw new Error(
      `PGP signature detected but no PGP public keys found in secret (keys with ${PGP_SUFFIX} suffix)`,
    );
  }
  try {
    return await verifyPGP(subject.signed, rings);
  } catch (err) {
    throw new Error(`unable to verify Git ${subject.what}: ${(err as Error).message}`, { cause: err });
  }
}

async function verifyOrFail(s: RunState, subject: Subject, rings: readonly string[]): Promise<string> {
  try {
    return await verifyObject(subject, rings);
  } catch (err) {
    const reason = subject.what === "tag" ? Reason.InvalidTagSignature : Reason.InvalidCommitSignature;
    const message = `signature verification of ${subject.what} '${subject.shown}' failed: ${(err as Error).message}`;
    return fail(s, new GenericError(reason, message, { cause: err }));
  }
}

/** The tag to verify (Tag modes): stalls without a tag ref, fails for an unsigned tag. */
function tagSubject(s: RunState, resolved: ResolvedRef, raw: RawObjects): Subject {
  const fullRef = resolved.fullRef ?? "";
  if (!fullRef.startsWith("refs/tags/")) {
    const message = "cannot verify tag object's signature if a tag reference is not specified";
    fail(s, new StallingError(Reason.InvalidVerificationMode, message));
  }
  const name = fullRef.slice("refs/tags/".length);
  const shown = resolved.tagObject === undefined ? name : `${name}@${resolved.tagObject}`;
  const signed =
    raw.tag === undefined ? { payload: new Uint8Array(), signature: "" } : parseSignedTag(raw.tag);
  if (signed.signature === "") {
    const message = `cannot verify signature of tag '${shown}' since it is not signed`;
    fail(s, new GenericError(Reason.InvalidGitObject, message));
  }
  return { what: "tag", shown, signed };
}

/**
 * Verifies what `spec.verify.mode` asks for on the resolved revision.
 * Sets: SourceVerified True (`Succeeded`, listing each object and key) and
 * `status.sourceVerificationMode`. Clears both when `spec.verify` is unset.
 * On failure: SourceVerified False with `VerificationError`, `InvalidTagSignature`,
 * `InvalidCommitSignature`, `InvalidGitObject`, or Stalled `InvalidVerificationMode`.
 */
export async function reconcileVerification(
  deps: GitRepositoryDeps,
  s: RunState,
  readRaw: () => Promise<RawObjects>,
): Promise<void> {
  const mode = gitVerificationMode(s.obj.spec);
  if (mode === undefined || s.obj.spec.verify === undefined) {
    s.obj = deleteCondition(withoutStatus(s.obj, "sourceVerificationMode"), ConditionType.SourceVerified);
    return;
  }
  const rings = await keyRings(deps, s, s.obj.spec.verify.secretRef.name);
  const resolved = s.resolved!;
  const raw = await readRaw();
  const lines: string[] = [];
  if (mode !== "HEAD") {
    const tag = tagSubject(s, resolved, raw);
    lines.push(`tag '${tag.shown}' with key '${await verifyOrFail(s, tag, rings)}'`);
  }
  if (mode !== "Tag") {
    const commit: Subject = { what: "commit", shown: resolved.commit, signed: parseSignedCommit(raw.commit) };
    lines.push(`commit '${resolved.commit}' with key '${await verifyOrFail(s, commit, rings)}'`);
  }
  const message = `verified signature of\n${lines.map((l) => `\t- ${l}`).join("\n")}`;
  s.obj = withStatus(s.obj, { sourceVerificationMode: mode });
  s.obj = markTrue(s.obj, ConditionType.SourceVerified, {
    reason: Reason.Succeeded,
    message,
    now: s.ctx.now(),
  });
}
