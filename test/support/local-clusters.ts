/** The apply layer of a test controller that applies to the test cluster only. */
import { ApplyClusters, type ApplyManager } from "../../src/apply/cluster/index.js";

/** `apply` as the controller's only cluster: a `spec.kubeConfig` in such a test is a test bug. */
export function localClusters(apply: ApplyManager): ApplyClusters {
  return new ApplyClusters(apply, () => {
    throw new Error("this test has no remote clusters");
  });
}
