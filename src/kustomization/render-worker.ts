/** The render thread's module (issue 14): serves {@link renderManifests} to the {@link RenderPool}. */
import { serveTasks } from "../runtime/thread-worker.js";
import { renderManifests } from "./render-manifests.js";

serveTasks(renderManifests);
