// Map html-manager's AMD module paths onto this folder, so its fonts and modules load
// from the book itself rather than from <page dir>/@jupyter-widgets/... (pitfall P4).
(function () {
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  require.config({
    paths: {
      "@jupyter-widgets/html-manager": here + "html-manager",
      "@jupyter-widgets/html-manager/dist": here.replace(/\/$/, ""),
    },
  });
})();
