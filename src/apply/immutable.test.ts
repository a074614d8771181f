import { describe, expect, it } from "vitest";
import { describeApiError, isImmutableError } from "./immutable.js";

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: "Status", code, reason, message });

describe("isImmutableError", () => {
  it.each<[string, unknown, boolean]>([
    ["409 Conflict body", { code: 409, body: status(409, "Conflict", "the object has been modified") }, true],
    [
      "422 Invalid body",
      {
        code: 422,
        body: status(
          422,
          "Invalid",
          'Service "web" is invalid: spec.clusterIP: Invalid value: "x": field is immutable',
        ),
      },
      true,
    ],
    [
      "any 422 Invalid, even unrelated",
      { code: 422, body: status(422, "Invalid", "spec.replicas: must be >= 0") },
      true,
    ],
    ["422 without a reason", { statusCode: 422 }, true],
    ["409 with an unknown reason", { code: 409, body: { reason: "SomethingNew" } }, true],
    ["409 AlreadyExists is not", { code: 409, body: status(409, "AlreadyExists", "already exists") }, false],
    [
      "webhook message 'is immutable'",
      { code: 400, body: status(400, "BadRequest", "admission webhook denied: spec.x is immutable") },
      true,
    ],
    ["CEL message 'immutable field'", new Error("cannot change immutable field spec.y"), true],
    ["404", { code: 404, body: status(404, "NotFound", "not found") }, false],
    ["500", { code: 500, body: "oops" }, false],
    ["plain error", new Error("connection refused"), false],
    ["string", "is immutable", true],
    ["null", null, false],
    ["response.statusCode (older clients)", { response: { statusCode: 422 } }, true],
  ])("%s → %s", (_name, err, want) => {
    expect(isImmutableError(err)).toBe(want);
  });
});

describe("describeApiError", () => {
  it("reads code, reason and message from a client-node ApiException-like error", () => {
    const err = Object.assign(new Error("HTTP-Code: 422"), {
      code: 422,
      body: status(422, "Invalid", "bad field"),
    });
    expect(describeApiError(err)).toEqual({
      code: 422,
      reason: "Invalid",
      text: "HTTP-Code: 422\nbad field",
    });
  });
});
