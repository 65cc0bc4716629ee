// Loaded synchronously first thing in <body>, so the page never flashes its
// no-JavaScript layout. nhsuk-frontend styles `.js-enabled` and only starts
// its components when `.nhsuk-frontend-supported` is present (browsers that
// run ES modules). A file rather than inline script, so the CSP needs no nonce.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
