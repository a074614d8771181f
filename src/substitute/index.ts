/** Post-build variable substitution (flux-compat §5): the module's public surface. */
export { expand, UnsetVariableError, SubstitutionSyntaxError } from "./envsubst.js";
export {
  isSubstitutionDisabled,
  substituteObject,
  substituteResources,
  SubstitutionError,
  SUBSTITUTE_KEY,
  type PostBuildInput,
  type SubstituteOptions,
  type SubstituteStrategy,
} from "./substitute.js";
export {
  mergeVariables,
  validateVariableNames,
  SubstituteVariablesError,
  VARIABLE_NAME_PATTERN,
  type FetchedSubstituteSource,
  type SubstituteReference,
} from "./variables.js";
