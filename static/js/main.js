// Starts NHS.UK frontend's components (header menu, error summary focus,
// character count, radios and checkboxes with conditional content ...).
// Progressive enhancement: every page works without it.
import { initAll } from "./vendor/nhsuk-frontend.min.js";

initAll();
