import { type CliIo, type GlobalOptions } from "../context.js";
import { loadKubeConfig, targetNamespace } from "../kubeconfig.js";
import { isNotFound } from "../../runtime/kube-request.js";
import { FLUX_KINDS, FluxObjects } from "../flux-objects.js";
import { formatData } from "../output.js";

/** An inventory entry parsed from its id, with nested Kustomizations expanded. */
export interface TreeNode {
  kind: string;
  group: string;
  namespace: string;
  name: string;
  children: TreeNode[];
}

/**
 * Parses `<namespace>_<name>_<group>_<Kind>`: the namespace ends at the first `_`, group and kind
 * are the last two fields, and `__` in an RBAC name stands for `:`.
 */
export function parseInventoryId(id: string): Omit<TreeNode, "children"> {
  const first = id.indexOf("_");
  const last = id.lastIndexOf("_");
  const second = id.lastIndexOf("_", last - 1);
  const kind = id.slice(last + 1);
  const rawName = id.slice(first + 1, second);
  const name =
    kind.startsWith("ClusterRole") || kind.startsWith("Role") ? rawName.replaceAll("__", ":") : rawName;
  return { namespace: id.slice(0, first), name, group: id.slice(second + 1, last), kind };
}

/** `mooring tree ks NAME`: the inventory as a tree, nested Kustomizations expanded. */
export async function treeCommand(name: string, options: GlobalOptions, io: CliIo): Promise<number> {
  const kc = loadKubeConfig(options, io.env);
  const namespace = targetNamespace(kc, options);
  const root = await expand(new FluxObjects(kc), namespace, name, new Set());
  if (options.output === "json" || options.output === "yaml") io.stdout(formatData(root, options.output));
  else io.stdout(renderTree(root));
  return 0;
}

async function expand(
  objects: FluxObjects,
  namespace: string,
  name: string,
  seen: Set<string>,
): Promise<TreeNode> {
  const node: TreeNode = {
    kind: "Kustomization",
    group: FLUX_KINDS.kustomization.apiVersion.split("/")[0] ?? "",
    namespace,
    name,
    children: [],
  };
  const key = `${namespace}/${name}`;
  if (seen.has(key)) return node;
  seen.add(key);
  for (const entry of await inventoryOf(objects, namespace, name, seen.size === 1)) {
    const parsed = parseInventoryId(entry.id);
    const nested = parsed.kind === "Kustomization" && parsed.group === node.group;
    node.children.push(
      nested ? await expand(objects, parsed.namespace, parsed.name, seen) : { ...parsed, children: [] },
    );
  }
  return node;
}

/** A Kustomization's inventory entries; a nested one that is gone shows as a leaf. */
async function inventoryOf(
  objects: FluxObjects,
  namespace: string,
  name: string,
  isRoot: boolean,
): Promise<{ id: string }[]> {
  try {
    return (await objects.get(FLUX_KINDS.kustomization, namespace, name)).status?.inventory?.entries ?? [];
  } catch (err) {
    if (!isNotFound(err) || isRoot) throw err;
    return [];
  }
}

/** Draws the tree with box characters, like `flux tree`. */
export function renderTree(root: TreeNode): string {
  const label = (n: TreeNode): string => `${n.kind}/${n.namespace ? `${n.namespace}/` : ""}${n.name}`;
  const lines = [label(root)];
  const walk = (node: TreeNode, prefix: string): void => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${label(child)}`);
      walk(child, prefix + (last ? "    " : "│   "));
    });
  };
  walk(root, "");
  return lines.join("\n") + "\n";
}
