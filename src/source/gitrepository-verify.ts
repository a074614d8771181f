/**
 * `spec.verify`: the OpenPGP or SSH signatures of the checked-out commit and/or the tag it was
 * reached through, as source-controller's `verifySignature` checks them (flux-compat §1.5 step 6),
 * before any artifact is written: an unverified revision never becomes an artifact.
 *
 * Keys come from the Secret `spec.verify.secretRef`: `*.sshpub` entries are SSH authorized keys;
 * `*.asc` entries (and, as in Flux, any other entry) are armored OpenPGP key rings. The
 * signature's armor decides which kind is used.
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
import { verifySSH } from "./git-ssh-signature.js";
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

/** Trusted keys: OpenPGP key rings and SSH authorized_keys texts, one per Secret entry. */
interface TrustedKeys {
  readonly pgp: readonly string[];
  readonly ssh: readonly string[];
}

/** The trusted keys of the Secret, split by suffix as Flux does. */
async function trustedKeys(deps: GitRepositoryDeps, s: RunState, secretName: string): Promise<TrustedKeys> {
  const namespace = s.obj.metadata.namespace ?? "";
  const data = await deps.client.getSecretData({ namespace, name: secretName });
  if (data === undefined) {
    const message = `public keys secret error: secrets "${secretName}" not found`;
    fail(s, new GenericError(Reason.VerificationError, message));
  }
  const entries = Object.entries(data);
  return {
    pgp: entries.filter(([key]) => !key.endsWith(SSH_SUFFIX)).map(([, value]) => value),
    ssh: entries.filter(([key]) => key.endsWith(SSH_SUFFIX)).map(([, value]) => value),
  };
}

/** How each signature type is verified: its keys, their Secret suffix, and Flux's wording. */
const METHODS = {
  openpgp: {
    label: "PGP",
    suffix: PGP_SUFFIX,
    keys: (k: TrustedKeys) => k.pgp,
    verify: verifyPGP,
    failure: (what: string) => `unable to verify Git ${what}`,
  },
  ssh: {
    label: "SSH",
    suffix: SSH_SUFFIX,
    keys: (k: TrustedKeys) => k.ssh,
    verify: (signed: SignedObject, keys: readonly string[]) => Promise.resolve(verifySSH(signed, keys)),
    failure: (what: string) => `unable to verify Git ${what} SSH signature`,
  },
} as const;

/** Flux's `verifyGitObject`: the signature's armor picks the method; returns the key's name. */
async function verifyObject(subject: Subject, keys: TrustedKeys): Promise<string> {
  const type = signatureType(subject.signed.signature);
  if (type !== "openpgp" && type !== "ssh") throw new Error(`unsupported signature type: ${type}`);
  const method = METHODS[type];
  const trusted = method.keys(keys);
  if (trusted.length === 0) {
    throw new Error(
      `${method.label} signature detected but no ${method.label} public keys found in secret (keys with ${method.suffix} suffix)`,
    );
  }
  try {
    return await method.verify(subject.signed, trusted);
  } catch (err) {
    throw new Error(`${method.failure(subject.what)}: ${(err as Error).message}`, { cause: err });
  }
}

async function verifyOrFail(s: RunState, subject: Subject, keys: TrustedKeys): Promise<string> {
  try {
    return await verifyObject(subject, keys);
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
  const keys = await trustedKeys(deps, s, s.obj.spec.verify.secretRef.name);
  const resolved = s.resolved!;
  const raw = await readRaw();
  const lines: string[] = [];
  if (mode !== "HEAD") {
    const tag = tagSubject(s, resolved, raw);
    lines.push(`tag '${tag.shown}' with key '${await verifyOrFail(s, tag, keys)}'`);
  }
  if (mode !== "Tag") {
    const commit: Subject = { what: "commit", shown: resolved.commit, signed: parseSignedCommit(raw.commit) };
    lines.push(`commit '${resolved.commit}' with key '${await verifyOrFail(s, commit, keys)}'`);
  }
  const message = `verified signature of\n${lines.map((l) => `\t- ${l}`).join("\n")}`;
  s.obj = withStatus(s.obj, { sourceVerificationMode: mode });
  s.obj = markTrue(s.obj, ConditionType.SourceVerified, {
    reason: Reason.Succeeded,
    message,
    now: s.ctx.now(),
  });
}
