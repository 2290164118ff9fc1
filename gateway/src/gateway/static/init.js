// Enhancements only: every page works without this file. A file rather than GOV.UK's inline snippet,
// because the Content-Security-Policy allows no inline script.
import { initAll } from "./dist/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
  initAll();
}
