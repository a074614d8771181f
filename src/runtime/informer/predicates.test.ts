import { describe, expect, it } from "vitest";
import { RECONCILE_REQUEST_ANNOTATION } from "../reconcile-request.js";
import { enqueueHandler, fluxDefaultPredicate } from "./predicates.js";

const obj = (generation: number, requested?: string, rv = "1") => ({
  metadata: {
    name: "a",
    namespace: "ns",
    generation,
    resourceVersion: rv,
    ...(requested ? { annotations: { [RECONCILE_REQUEST_ANNOTATION]: requested } } : {}),
  },
});

describe("predicates and enqueueHandler", () => {
  it("Flux default: creates, deletes, generation changes and reconcile requests enqueue; status-only updates do not", () => {
    const keys: string[] = [];
    const deleted: string[] = [];
    const h = enqueueHandler({
      enqueue: (k) => keys.push(k),
      predicate: fluxDefaultPredicate,
      onDelete: (o) => deleted.push(o.metadata?.name ?? ""),
    });
    h.onAdd?.(obj(1));
    h.onUpdate?.(obj(1, undefined, "1"), obj(1, undefined, "2")); // status only
    h.onUpdate?.(obj(1), obj(2)); // spec change
    h.onUpdate?.(obj(2), obj(2, "t1")); // flux reconcile
    h.onUpdate?.(obj(2, "t1"), obj(2, "t1", "9")); // same request again
    h.onDelete?.(obj(2), { finalStateUnknown: true });
    expect(keys).toEqual(["ns/a", "ns/a", "ns/a", "ns/a"]);
    expect(deleted).toEqual(["a"]);
  });

  it("maps an event to other keys", () => {
    const keys: string[] = [];
    const h = enqueueHandler({ enqueue: (k) => keys.push(k), mapToKeys: () => ["x/1", "x/2"] });
    h.onAdd?.(obj(1));
    expect(keys).toEqual(["x/1", "x/2"]);
  });
});
