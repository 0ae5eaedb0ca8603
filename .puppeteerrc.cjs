// whatsapp-web.js depends on puppeteer; we never download a browser, we drive
// Debian's /usr/bin/chromium (CHROMIUM_PATH). This file makes `npm ci` safe
// without any environment variable.
module.exports = { skipDownload: true };
