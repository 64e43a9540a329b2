// Module hooks that let the tests load the original app's hook where it lies
// (../shared/reference/useWebSocketStaff.js), unchanged and uncopied: that folder has no
// package.json (so the file is read as an ES module here) and no node_modules (so its bare
// imports, "react", resolve from this project's clients/ folder).
export async function initialize({ referenceDir }) {
  state.referenceDir = referenceDir;
}

const state = { referenceDir: null };

export async function resolve(specifier, context, next) {
  const fromReference = state.referenceDir && context.parentURL?.startsWith(state.referenceDir);
  if (fromReference && !specifier.startsWith(".") && !specifier.startsWith("/") && !specifier.includes(":")) {
    return next(specifier, { ...context, parentURL: import.meta.url });
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (state.referenceDir && url.startsWith(state.referenceDir) && url.endsWith(".js")) {
    return next(url, { ...context, format: "module" });
  }
  return next(url, context);
}
